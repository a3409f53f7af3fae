import type { ReactNode } from "react";

// The judging grid, outside the (app) group's centred column: on a large screen the expert gets the
// whole width for thumbnails. Pages here check the session themselves, as in (app).
export default function JudgeLayout({ children }: { children: ReactNode }) {
  return <main className="mx-auto max-w-[120rem] px-4 py-4 sm:px-6">{children}</main>;
}
