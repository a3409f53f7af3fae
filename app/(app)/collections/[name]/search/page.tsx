import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { Breadcrumbs } from "@/app/_components/breadcrumbs";
import { requireUser } from "@/lib/auth/session";
import { findCollection, listIconicGroups } from "@/lib/browse/collections";
import { collectionPath, pageParam } from "@/lib/browse/urls";
import { modelsWithVectors } from "@/lib/models/registry";
import { apiQueryString, readSearchState, searchPagePath } from "./search-state";
import { SearchView } from "./search-view";

type Props = {
  params: Promise<{ name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Search ${pageParam((await params).name)}` };
}

export default async function SearchPage({ params, searchParams }: Props) {
  await requireUser("collections.read");
  const collection = await findCollection(pageParam((await params).name));
  if (!collection) notFound();
  const raw = await searchParams;
  const state = readSearchState(raw);
  const [withVectors, groups] = await Promise.all([modelsWithVectors(collection.id), listIconicGroups(collection.id)]);
  const models = withVectors.map((m) => ({ name: m.name, kind: m.kind }));
  // A link that names no model ("Find similar" on an image page) gets the first one, in the URL.
  if (state.input.trim() && state.mode !== "metadata" && !state.model && models.length) {
    const model = models.find((m) => state.mode === "image" || m.kind === "clip") ?? models[0];
    redirect(searchPagePath(collection.name, { ...state, model: model.name }));
  }
  return (
    <>
      <Breadcrumbs
        trail={[
          { href: "/collections", label: "Collections" },
          { href: collectionPath(collection.name, state.filter), label: collection.name },
        ]}
      />
      <h1 className="text-2xl font-semibold tracking-tight">Search</h1>
      <SearchView
        collection={collection.name}
        models={models}
        groups={groups}
        state={state}
        apiQuery={state.input.trim() ? apiQueryString(raw) : null}
      />
    </>
  );
}
