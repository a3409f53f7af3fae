import type { Metadata } from "next";
import Link from "next/link";
import { PageTitle } from "@/app/_components/ui";
import { requireUser } from "@/lib/auth/session";
import { listCollections } from "@/lib/collections/list";
import { collectionPath } from "@/lib/browse/urls";

export const metadata: Metadata = { title: "Collections" };

export default async function CollectionsPage() {
  await requireUser("collections.read");
  const collections = await listCollections();
  return (
    <>
      <PageTitle sub="Photo collections imported into this Fieldmark.">Collections</PageTitle>
      {collections.length === 0 ? (
        <div className="rounded-xl border border-dashed border-stone-300 bg-white p-10 text-center text-stone-600">
          <p className="font-medium text-stone-800">No collections yet</p>
          <p className="mt-1 text-sm">
            <Link href="/import" className="font-medium text-emerald-800 underline">
              Import one
            </Link>
            , or from the command line:{" "}
            <code className="rounded bg-stone-100 px-1.5 py-0.5 font-mono text-xs">
              npx fieldmark import train.json --collection my-photos --images-root ./photos
            </code>
          </p>
        </div>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {collections.map((c) => (
            <li key={c.name}>
              <Link
                href={collectionPath(c.name)}
                className="block h-full rounded-xl border border-stone-200 bg-white p-5 transition hover:border-emerald-600/60 hover:shadow-sm"
              >
                <h2 className="font-semibold text-stone-900">{c.name}</h2>
                {c.description && <p className="mt-1 line-clamp-2 text-sm text-stone-600">{c.description}</p>}
                <p className="mt-3 text-sm text-stone-500">
                  {c.images.toLocaleString("en-US")} images · {c.taxa.toLocaleString("en-US")} taxa
                </p>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
