import type { Metadata } from "next";
import Link from "next/link";
import { pageParam } from "@/lib/browse/urls";
import { judgePath } from "@/lib/queries/urls";
import { headerLinkClass, loadQueryPage, QueryHeader } from "../query-header";
import { JudgedList } from "./judged-list";

type Props = { params: Promise<{ name: string; queryId: string }>; searchParams: Promise<{ annotator?: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Judged images of query ${pageParam((await params).queryId)}` };
}

export default async function JudgedPage({ params, searchParams }: Props) {
  const { user, collection, query, lead, people, annotator } = await loadQueryPage(params, searchParams);
  const others = annotator.id !== user.id ? annotator.id : undefined;
  return (
    <>
      <QueryHeader
        collection={collection.name}
        query={query}
        actions={
          <Link href={judgePath(collection.name, query.id, others)} className={headerLinkClass}>
            Back to judging
          </Link>
        }
      />
      <h2 className="mb-2 text-sm font-semibold text-stone-800">
        {annotator.id === user.id ? "Your judgments" : `${annotator.name}'s judgments`}, latest change first
      </h2>
      <JudgedList
        collection={collection.name}
        queryId={query.id}
        userId={user.id}
        annotator={annotator}
        people={lead ? people : null}
      />
    </>
  );
}
