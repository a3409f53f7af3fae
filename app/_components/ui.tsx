import type { ComponentProps, ReactNode } from "react";

// A few plain building blocks so pages read as structure, not class lists.

export function cx(...classes: (string | false | null | undefined)[]): string {
  return classes.filter(Boolean).join(" ");
}

export function Button({
  className,
  variant = "primary",
  ...props
}: ComponentProps<"button"> & { variant?: "primary" | "secondary" | "ghost" }) {
  const styles = {
    primary: "bg-emerald-700 text-white hover:bg-emerald-800 disabled:bg-emerald-700/50",
    secondary: "border border-stone-300 bg-white text-stone-800 hover:bg-stone-100 disabled:text-stone-400",
    ghost: "text-stone-600 hover:bg-stone-100 hover:text-stone-900",
  }[variant];
  return (
    <button
      className={cx(
        "inline-flex items-center justify-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600 disabled:cursor-not-allowed",
        styles,
        className,
      )}
      {...props}
    />
  );
}

export const inputClass =
  "block w-full rounded-md border border-stone-300 bg-white px-2.5 py-1.5 text-sm text-stone-900 placeholder:text-stone-400 focus:border-emerald-600 focus:outline-none focus:ring-2 focus:ring-emerald-600/20";

export function Input({ className, ...props }: ComponentProps<"input">) {
  return <input className={cx(inputClass, className)} {...props} />;
}

export function Field({
  label,
  htmlFor,
  children,
  hint,
}: {
  label: string;
  htmlFor: string;
  children: ReactNode;
  hint?: string;
}) {
  return (
    <div className="space-y-1">
      <label htmlFor={htmlFor} className="block text-xs font-medium tracking-wide text-stone-600 uppercase">
        {label}
      </label>
      {children}
      {hint && <p className="text-xs text-stone-500">{hint}</p>}
    </div>
  );
}

export function ErrorNote({ children }: { children: ReactNode }) {
  return (
    <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      {children}
    </p>
  );
}

export function PageTitle({ children, sub }: { children: ReactNode; sub?: ReactNode }) {
  return (
    <div className="mb-6">
      <h1 className="text-2xl font-semibold tracking-tight text-stone-900">{children}</h1>
      {sub && <p className="mt-1 text-sm text-stone-600">{sub}</p>}
    </div>
  );
}

export function RoleBadge({ role }: { role: string }) {
  const color =
    role === "admin"
      ? "bg-amber-100 text-amber-900"
      : role === "lead"
        ? "bg-sky-100 text-sky-900"
        : "bg-stone-200 text-stone-700";
  return <span className={cx("rounded px-1.5 py-0.5 text-xs font-medium", color)}>{role}</span>;
}

// Tables: a bordered card that scrolls sideways when wide, a quiet header row, the same cell padding on
// every page (the query list, the dashboard, agreement, rerank sets, splits, export, runs).
export const tableFrameClass = "overflow-x-auto rounded-xl border border-stone-200 bg-white";
export const tableHeadClass = "border-b border-stone-200 bg-stone-50 text-xs tracking-wide text-stone-500 uppercase";
export const thClass = "px-3 py-2 font-medium";
export const tdClass = "px-3 py-1.5";
