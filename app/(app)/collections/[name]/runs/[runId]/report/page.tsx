import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Breadcrumbs } from "@/app/_components/breadcrumbs";
import { Chart } from "@/app/_components/chart";
import { requireUser } from "@/lib/auth/session";
import { runsPath } from "@/lib/benchmark/urls";
import { findCollection } from "@/lib/browse/collections";
import { collectionPath, pageParam } from "@/lib/browse/urls";
import { probeGainOption, runCategoriesOption } from "@/lib/charts/eval";
import { buildReport, DEFAULT_THRESHOLD } from "@/lib/eval/report/build";
import { fixed, percent, REPORT_SECTIONS, signed } from "@/lib/eval/report/format";
import { PrintButton } from "./print-button";
import { ReportImages } from "./report-images";

// The PoC report of one run (lib/eval/report): a summary in plain words, then where the model errs,
// how much still needs an expert (with the precision threshold the reader sets), and whether retraining
// would pay; the commands and data behind it last. Prints to PDF from the browser.

type Props = { params: Promise<{ name: string; runId: string }>; searchParams: Promise<{ threshold?: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const p = await params;
  return { title: `Report, run ${pageParam(p.runId)} · ${pageParam(p.name)}` };
}

const th = "border border-stone-200 px-2 py-1 text-left font-medium";
const td = "border border-stone-200 px-2 py-1 tabular-nums";

export default async function ReportPage({ params, searchParams }: Props) {
  await requireUser("eval.read");
  const p = await params;
  const collection = await findCollection(pageParam(p.name));
  if (!collection || !/^\d{1,9}$/.test(p.runId)) notFound();
  const asked = Number((await searchParams).threshold);
  const threshold = asked >= 0 && asked <= 1 ? asked : DEFAULT_THRESHOLD;
  let report;
  try {
    report = await buildReport(collection, Number(p.runId), { threshold });
  } catch (e) {
    return <p className="text-sm text-stone-600">{(e as Error).message}</p>;
  }
  if (!report) notFound();
  const { run, errors: e, expert: x, probe } = report;
  const k = run.k;
  return (
    <article className="space-y-6 print:text-[12px]" data-testid="report">
      <div className="print:hidden">
        <Breadcrumbs
          trail={[
            { href: "/collections", label: "Collections" },
            { href: collectionPath(collection.name), label: collection.name },
            { href: runsPath(collection.name), label: "Runs" },
          ]}
        />
      </div>
      <header className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold text-stone-900">
            Model report: {run.modelName} on {collection.name}
          </h1>
          <p className="text-sm text-stone-500">
            Run #{run.id} · {run.kind} · k = {k} · {run.source} · made {new Date(run.createdAt).toISOString()}
          </p>
        </div>
        <PrintButton />
      </header>
      <p className="rounded-lg bg-stone-100 p-4 text-sm leading-relaxed" data-testid="report-summary">
        {report.summary}
      </p>
      {report.mean && (
        <table className="text-sm">
          <thead>
            <tr>
              {["queries", `AP@${k}`, `nDCG@${k}`, "MRR", `P@${k}`, `R@${k}`].map((h) => (
                <th key={h} className={th}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <td className={td}>{report.queries}</td>
              {[report.mean.ap, report.mean.ndcg, report.mean.mrr, report.mean.precision, report.mean.recall].map(
                (v, i) => (
                  <td key={i} className={td}>
                    {fixed(v)}
                  </td>
                ),
              )}
            </tr>
          </tbody>
        </table>
      )}
      {(run.means.leftOut ?? []).length > 0 && (
        <p className="text-sm text-amber-800" data-testid="report-left-out">
          Not scored (no number can be given):{" "}
          {(run.means.leftOut ?? []).map((l) => `query ${l.queryId}: ${l.reason}`).join("; ")}.
        </p>
      )}
      {Object.keys(report.categories).length > 0 && (
        <section className="break-inside-avoid">
          <h2 className="mb-1 text-sm font-semibold">Metrics per category</h2>
          <Chart
            option={runCategoriesOption(report.categories)}
            height={280}
            label="metrics of the run per query category"
          />
        </section>
      )}

      <section data-testid="report-errors" className="space-y-3">
        <h2 className="border-b border-stone-300 text-lg font-semibold">(a) {REPORT_SECTIONS.errors}</h2>
        <p className="text-sm">
          {e.falsePositives} false positives in the top {k} of the scored queries
          {e.unjudgedInTopK > 0 && ` (and ${e.unjudgedInTopK} images nobody judged, not counted)`}.
        </p>
        <div className="flex flex-wrap gap-6 text-sm">
          {(
            [
              ["taxon", e.byTaxon],
              ["query category", e.byCategory],
            ] as const
          ).map(([title, list]) =>
            list.length ? (
              <table key={title}>
                <thead>
                  <tr>
                    <th className={th}>{title}</th>
                    <th className={th}>false positives</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((c) => (
                    <tr key={c.name}>
                      <td className={td}>{c.name}</td>
                      <td className={td}>{c.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null,
          )}
        </div>
        <h3 className="text-sm font-semibold">Highest-ranked false positives</h3>
        <ReportImages collection={collection.name} images={e.topFalsePositives} testId="report-false-positives" />
        <h3 className="text-sm font-semibold">Relevant images it ranks lowest</h3>
        <ReportImages collection={collection.name} images={e.lowestRelevant} testId="report-missed" />
        {e.relevantUnranked > 0 && (
          <p className="text-sm">{e.relevantUnranked} relevant images were not ranked by the run at all.</p>
        )}
      </section>

      <section data-testid="report-expert" className="space-y-3 break-inside-avoid">
        <h2 className="border-b border-stone-300 text-lg font-semibold">(b) {REPORT_SECTIONS.expert}</h2>
        <form className="flex items-center gap-2 text-sm print:hidden">
          <label htmlFor="threshold">Precision threshold</label>
          <input
            id="threshold"
            name="threshold"
            type="number"
            min={0}
            max={1}
            step={0.05}
            defaultValue={threshold}
            className="w-20 rounded border border-stone-300 px-2 py-1"
          />
          <button type="submit" className="rounded border border-stone-300 px-2 py-1">
            Apply
          </button>
        </form>
        <table className="text-sm">
          <tbody>
            <tr>
              <td className={td}>
                queries with precision@{k} below {percent(x.threshold)}
              </td>
              <td className={td} data-testid="below-threshold">
                {x.belowThreshold} of {x.queries} ({percent(x.shareBelow)})
              </td>
            </tr>
            <tr>
              <td className={td}>“unsure” judgments</td>
              <td className={td}>
                {x.unsure} of {x.judgments} ({percent(x.unsureRate)})
              </td>
            </tr>
            <tr>
              <td className={td}>disagreement between experts</td>
              <td className={td}>
                {x.disagreementRate === null
                  ? "not known: no image was judged by two experts"
                  : `${percent(x.disagreementRate)} of ${x.pairs} images judged twice${x.kappa === null ? "" : `, Cohen's kappa ${fixed(x.kappa)}`}`}
              </td>
            </tr>
          </tbody>
        </table>
      </section>

      <section data-testid="report-retraining" className="space-y-3 break-inside-avoid">
        <h2 className="border-b border-stone-300 text-lg font-semibold">(c) {REPORT_SECTIONS.retraining}</h2>
        {"untrusted" in probe ? (
          <p className="text-sm text-amber-800">Cannot be said: {probe.untrusted}.</p>
        ) : (
          <>
            <p className="text-sm">
              A linear probe trained on {probe.labelsPerQuery} labels per query (half relevant), {probe.folds}-fold
              cross-validated, against the zero-shot ranking, on the held-out labeled images.
            </p>
            <table className="text-sm">
              <thead>
                <tr>
                  {["category", "queries", "zero-shot AP", "probe AP", "AP gained (95% interval)"].map((h) => (
                    <th key={h} className={th}>
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {probe.categories.map((c) => (
                  <tr key={c.category}>
                    <td className={td}>{c.category}</td>
                    <td className={td}>{c.queries}</td>
                    {"gain" in c ? (
                      <>
                        <td className={td}>{fixed(c.zeroShotAp)}</td>
                        <td className={td}>{fixed(c.probeAp)}</td>
                        <td className={td}>
                          {signed(c.gain)} ({signed(c.low)} to {signed(c.high)})
                        </td>
                      </>
                    ) : (
                      <td className={`${td} text-amber-800`} colSpan={3}>
                        {c.untrusted}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
            {probe.categories.some((c) => "gain" in c) && (
              <Chart option={probeGainOption(probe)} height={260} label="AP gained by the probe per category" />
            )}
          </>
        )}
      </section>

      <section data-testid="report-provenance" className="space-y-2 text-sm break-inside-avoid">
        <h2 className="border-b border-stone-300 text-lg font-semibold">How this report was made</h2>
        <p>Run made by:</p>
        <pre className="rounded bg-stone-100 p-2 text-xs whitespace-pre-wrap">
          {report.provenance.runCommand ?? "(not recorded)"}
        </pre>
        <p>The same report as a file:</p>
        <pre className="rounded bg-stone-100 p-2 text-xs whitespace-pre-wrap">
          {report.provenance.reportCommand} --out report.html
        </pre>
        <ul className="list-disc pl-5">
          {report.provenance.data.map((d) => (
            <li key={d}>{d}</li>
          ))}
        </ul>
        <p className="text-stone-500">Generated {report.generatedAt}.</p>
      </section>
    </article>
  );
}
