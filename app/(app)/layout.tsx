import type { ReactNode } from "react";

// Signed-in pages. Each page checks the session itself (requireUser): a layout is not re-run on every
// navigation, so it cannot be the guard.
export default function AppLayout({ children }: { children: ReactNode }) {
  return <main className="mx-auto max-w-7xl px-4 py-8 sm:px-6">{children}</main>;
}
