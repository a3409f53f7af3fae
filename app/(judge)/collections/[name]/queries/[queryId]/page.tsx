import type { Metadata } from "next";
import Link from "next/link";
import { pageParam } from "@/lib/browse/urls";
import { judgedPath, queryEditPath } from "@/lib/queries/urls";
import { JudgingWorkspace } from "./judging-workspace";
import { headerLinkClass, loadQueryPage, QueryHeader } from "./query-header";
import { StoppingSignals } from "./stopping-signals";

type Props = { params: Promise<{ name: string; queryId: string }>; searchParams: Promise<{ annotator?: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Judge query ${pageParam((await params).queryId)}` };
}

export default async function JudgePage({ params, searchParams }: Props) {
  const { user, collection, query, lead, people, annotator } = await loadQueryPage(params, searchParams);
  const others = annotator.id !== user.id ? annotator.id : undefined;
  return (
    <>
      <QueryHeader
        collection={collection.name}
        query={query}
        actions={
          <>
            <Link href={judgedPath(collection.name, query.id, others)} className={headerLinkClass}>
              Review judged
            </Link>
            <Link href={queryEditPath(collection.name, query.id)} className={headerLinkClass}>
              Edit query
            </Link>
          </>
        }
      />
      <StoppingSignals collection={collection.name} queryId={query.id} />
      <JudgingWorkspace
        key={annotator.id}
        collection={collection.name}
        queryId={query.id}
        userId={user.id}
        annotator={annotator}
        people={lead ? people : null}
      />
    </>
  );
}
