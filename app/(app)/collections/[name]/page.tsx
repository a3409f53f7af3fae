import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Breadcrumbs } from "@/app/_components/breadcrumbs";
import { ErrorNote } from "@/app/_components/ui";
import { can } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/session";
import { findCollection, listIconicGroups } from "@/lib/browse/collections";
import { parseImageQuery } from "@/lib/browse/filters";
import { filterToSearchParams, type ImageFilter } from "@/lib/filters/filter";
import { countImages, listImages } from "@/lib/browse/images";
import { pageParam } from "@/lib/browse/urls";
import { queriesPath } from "@/lib/queries/urls";
import { BENCHMARK_PAGES } from "@/lib/benchmark/urls";
import { EmbeddingPanel } from "./embedding-panel";
import { FilterPanel } from "./filter-panel";
import { ImageGrid } from "./image-grid";
import { searchPagePath } from "./search/search-state";

type Props = {
  params: Promise<{ name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: pageParam((await params).name) };
}

export default async function CollectionPage({ params, searchParams }: Props) {
  const user = await requireUser("collections.read");
  const collection = await findCollection(pageParam((await params).name));
  if (!collection) notFound();
  const parsed = parseImageQuery(await searchParams);
  const filter: ImageFilter = parsed.ok ? parsed.query.filter : {};
  // The first page is rendered on the server: the grid shows at once, then pages on in the browser.
  const [groups, firstPage, total] = await Promise.all([
    listIconicGroups(collection.id),
    listImages(collection.id, filter),
    countImages(collection.id, filter),
  ]);
  return (
    <>
      <Breadcrumbs trail={[{ href: "/collections", label: "Collections" }]} />
      <div className="flex items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{collection.name}</h1>
          {collection.description && <p className="mt-1 text-sm text-stone-600">{collection.description}</p>}
          <nav aria-label="Benchmark" className="mt-2 flex flex-wrap gap-x-3 gap-y-1 text-sm">
            {BENCHMARK_PAGES.filter((p) => can(user, p.needs)).map((p) => (
              <Link key={p.label} href={p.path(collection.name)} className="text-emerald-800 hover:underline">
                {p.label}
              </Link>
            ))}
          </nav>
        </div>
        <div className="flex shrink-0 gap-2">
          <Link
            href={queriesPath(collection.name)}
            className="rounded-md border border-stone-300 bg-white px-3 py-1.5 text-sm font-medium text-stone-800 hover:bg-stone-100"
          >
            Queries
          </Link>
          <Link
            href={searchPagePath(collection.name, { filter })}
            className="rounded-md bg-emerald-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-800"
          >
            Search
          </Link>
        </div>
      </div>
      {can(user, "embeddings.start") && <EmbeddingPanel collection={collection.name} />}
      {!parsed.ok && (
        <div className="mt-4">
          <ErrorNote>Filters ignored: {parsed.error}</ErrorNote>
        </div>
      )}
      <div className="mt-6 grid gap-6 lg:grid-cols-[17rem_1fr]">
        <FilterPanel
          key={filterToSearchParams(filter).toString()}
          collection={collection.name}
          groups={groups}
          filter={filter}
        />
        <ImageGrid collection={collection.name} filter={filter} initial={{ ...firstPage, total }} />
      </div>
    </>
  );
}
