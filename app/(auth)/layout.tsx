import type { ReactNode } from "react";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="mx-auto flex max-w-sm flex-col px-4 pt-20 pb-12">
      <div className="rounded-xl border border-stone-200 bg-white p-6 shadow-sm">{children}</div>
    </main>
  );
}
