import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Breadcrumbs } from "@/app/_components/breadcrumbs";
import { PageTitle } from "@/app/_components/ui";
import { can } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/session";
import { findCollection } from "@/lib/browse/collections";
import { collectionPath, pageParam } from "@/lib/browse/urls";
import { modelsWithVectors } from "@/lib/models/registry";
import { queriesPath } from "@/lib/queries/urls";
import { QueryForm } from "../query-form";

export const metadata: Metadata = { title: "New query" };

const EMPTY = {
  text: "",
  supercategory: null,
  category: null,
  iconicGroup: null,
  taxonScope: [],
  notes: null,
  examples: [],
  split: null,
};

export default async function NewQueryPage({ params }: { params: Promise<{ name: string }> }) {
  const user = await requireUser("queries.write");
  const collection = await findCollection(pageParam((await params).name));
  if (!collection) notFound();
  const models = (await modelsWithVectors(collection.id)).map((m) => ({ name: m.name, kind: m.kind }));
  return (
    <>
      <Breadcrumbs
        trail={[
          { href: "/collections", label: "Collections" },
          { href: collectionPath(collection.name), label: collection.name },
          { href: queriesPath(collection.name), label: "Queries" },
        ]}
      />
      <PageTitle sub="Describe what an expert should find; candidates are surfaced for it, and you judge them next.">
        New query
      </PageTitle>
      <QueryForm
        collection={collection.name}
        queryId={null}
        revision={null}
        initial={EMPTY}
        canSetSplit={can(user, "queries.set-split")}
        models={models}
      />
    </>
  );
}
