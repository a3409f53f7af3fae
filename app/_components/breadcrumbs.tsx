import Link from "next/link";

// The trail above a page's title: "Collections / garden-survey / Queries / 12". Links for the way
// back, then the page itself as plain text when it has a name of its own.

export function Breadcrumbs({
  trail,
  current,
  className = "mb-2",
}: {
  trail: { href: string; label: string }[];
  current?: string;
  className?: string;
}) {
  return (
    <nav aria-label="Breadcrumb" className={`${className} flex flex-wrap gap-1 text-sm text-stone-500`}>
      {trail.map((t) => (
        <span key={t.href} className="flex gap-1">
          <Link href={t.href} className="hover:text-stone-800">
            {t.label}
          </Link>{" "}
          <span aria-hidden>/</span>
        </span>
      ))}
      {current !== undefined && <span className="text-stone-700">{current}</span>}
    </nav>
  );
}
