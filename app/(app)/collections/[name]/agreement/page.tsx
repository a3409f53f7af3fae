import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Breadcrumbs } from "@/app/_components/breadcrumbs";
import { PageTitle, cx, tableFrameClass, tableHeadClass, thClass as th, tdClass as td } from "@/app/_components/ui";
import { agreementSummary } from "@/lib/agreement/summary";
import type { Agreement } from "@/lib/agreement/kappa";
import { can } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/session";
import { listUsers } from "@/lib/auth/users";
import { adjudicatePath } from "@/lib/benchmark/urls";
import { findCollection } from "@/lib/browse/collections";
import { collectionPath, pageParam } from "@/lib/browse/urls";
import { OverlapForm } from "./overlap-form";

// Agreement between annotators: per query, per annotator pair and overall (lib/agreement/summary over
// agreementForQueries), and the lead's form sending blind overlap samples to a second expert.

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Agreement · ${pageParam((await params).name)}` };
}

const percent = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)}%`);

function Kappa({ a, note }: { a: Agreement; note: string | null }) {
  if (a.kappa !== null) return <span className="tabular-nums">{a.kappa.toFixed(3)}</span>;
  return <span className="text-stone-500">—, {note}</span>;
}

export default async function AgreementPage({ params }: Props) {
  await requireUser("agreement.assign");
  const collection = await findCollection(pageParam((await params).name));
  if (!collection) notFound();
  const [summary, users] = await Promise.all([agreementSummary(collection.id), listUsers()]);
  const experts = users.filter((u) => can(u, "judgments.write")).map((u) => ({ id: u.id, name: u.name }));
  return (
    <>
      <Breadcrumbs
        trail={[
          { href: "/collections", label: "Collections" },
          { href: collectionPath(collection.name), label: collection.name },
        ]}
      />
      <PageTitle
        sub={
          <>
            Raw agreement and Cohen&apos;s kappa over images two annotators judged. Disagreements and unsure judgments
            go to the{" "}
            <Link href={adjudicatePath(collection.name)} className="underline">
              adjudication queue
            </Link>
            .
          </>
        }
      >
        Agreement
      </PageTitle>
      <section className="mb-6 rounded-xl border border-stone-200 bg-white p-4 text-sm" data-testid="agreement-overall">
        <h2 className="mb-1 font-semibold text-stone-800">Overall</h2>
        <p>
          {summary.overall.pairs} pairs · raw agreement {percent(summary.overall.raw)} · kappa{" "}
          <Kappa a={summary.overall} note={summary.overall.kappaNote} />
        </p>
      </section>
      <div className={cx("mb-6", tableFrameClass)}>
        <table className="w-full text-left text-sm" data-testid="agreement-queries">
          <thead className={tableHeadClass}>
            <tr>
              <th className={th}>Id</th>
              <th className={th}>Query</th>
              <th className={th}>Judged</th>
              <th className={th}>Overlapped</th>
              <th className={th}>Pairs</th>
              <th className={th}>Raw</th>
              <th className={th}>Kappa</th>
            </tr>
          </thead>
          <tbody>
            {summary.queries.map((q) => (
              <tr key={q.queryId} className="border-b border-stone-100" data-query-id={q.queryId}>
                <td className={`${td} font-mono text-xs`}>{q.queryId}</td>
                <td className={td}>
                  <Link
                    href={`${adjudicatePath(collection.name)}?query=${encodeURIComponent(q.queryId)}`}
                    className="hover:underline"
                    title="Adjudicate this query's disagreements and unsure judgments"
                  >
                    {q.text}
                  </Link>
                </td>
                <td className={`${td} tabular-nums`}>{q.judged}</td>
                <td className={`${td} tabular-nums`} title="sent to a second expert (of those, judged)">
                  {q.overlapAssigned} ({q.overlapDone} judged)
                </td>
                <td className={`${td} tabular-nums`}>{q.pairs}</td>
                <td className={`${td} tabular-nums`}>{percent(q.raw)}</td>
                <td className={td}>
                  <Kappa a={q} note={q.kappaNote} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className={cx("mb-6", tableFrameClass)}>
        <table className="w-full text-left text-sm" data-testid="agreement-pairs">
          <thead className={tableHeadClass}>
            <tr>
              <th className={th}>Annotators</th>
              <th className={th}>Pairs</th>
              <th className={th}>Raw</th>
              <th className={th}>Kappa</th>
            </tr>
          </thead>
          <tbody>
            {summary.pairs.length === 0 && (
              <tr>
                <td className={`${td} text-stone-500`} colSpan={4}>
                  No image judged by two annotators yet.
                </td>
              </tr>
            )}
            {summary.pairs.map((p) => (
              <tr key={`${p.annotators[0].id}|${p.annotators[1].id}`} className="border-b border-stone-100">
                <td className={td}>
                  {p.annotators[0].name} &amp; {p.annotators[1].name}
                </td>
                <td className={`${td} tabular-nums`}>{p.pairs}</td>
                <td className={`${td} tabular-nums`}>{percent(p.raw)}</td>
                <td className={td}>
                  <Kappa a={p} note={p.kappaNote} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <OverlapForm
        collection={collection.name}
        queries={summary.queries
          .filter((q) => q.judged > 0)
          .map(({ queryId, text, judged }) => ({ queryId, text, judged }))}
        experts={experts}
      />
    </>
  );
}
