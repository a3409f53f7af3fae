import { probeGainOption, runCategoriesOption } from "@/lib/charts/eval";
import { renderChartSvg } from "@/lib/charts/svg";
import type { ReportData } from "./build";
import type { ReportImage } from "./errors";
import { fixed, percent, REPORT_SECTIONS, signed } from "./format";

// The PoC report as one self-contained HTML file (`fieldmark report --out`): thumbnails embedded as
// data URIs, charts as inline SVG drawn by echarts on the server, print CSS for a PDF. Every piece of
// text from the data (query text, taxon and model names, the command) is escaped here.

export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const REPORT_CSS = `
body{font:14px/1.45 system-ui,sans-serif;color:#1c1917;max-width:60rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:2rem 0 .5rem;border-bottom:1px solid #d6d3d1}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #e7e5e4;padding:.2rem .5rem;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}.summary{background:#f5f5f4;padding:.75rem 1rem;border-radius:.4rem}
.grid{display:flex;flex-wrap:wrap;gap:.5rem}.grid figure{margin:0;width:9rem;font-size:.75rem}
.grid img{width:9rem;height:9rem;object-fit:cover;border-radius:.25rem;background:#e7e5e4}
.untrusted{color:#92400e}code,pre{font-family:ui-monospace,monospace;font-size:.8rem;white-space:pre-wrap}
@media print{body{margin:0;max-width:none}section{break-inside:avoid-page}.grid figure{break-inside:avoid}}`;

function images(list: readonly ReportImage[], thumbs: ReadonlyMap<number, string>): string {
  if (!list.length) return "<p>None.</p>";
  return `<div class="grid">${list
    .map(
      (i) =>
        `<figure><img alt="image ${escapeHtml(i.imageId)}" src="${escapeHtml(thumbs.get(i.imageRowId) ?? "")}"><figcaption>#${i.rank} · ${escapeHtml(i.imageId)}<br>${escapeHtml(i.taxon ?? "no taxon")}<br>“${escapeHtml(i.queryText)}”</figcaption></figure>`,
    )
    .join("")}</div>`;
}

function counts(title: string, list: readonly { name: string; count: number }[]): string {
  if (!list.length) return "";
  return `<table><tr><th>${escapeHtml(title)}</th><th>false positives</th></tr>${list
    .map((c) => `<tr><td>${escapeHtml(c.name)}</td><td class="n">${c.count}</td></tr>`)
    .join("")}</table>`;
}

/** The report as a standalone HTML document; `thumbs` maps image row ids to data URIs. */
export async function renderReportHtml(r: ReportData, thumbs: ReadonlyMap<number, string>): Promise<string> {
  const k = r.run.k;
  const e = r.errors;
  const x = r.expert;
  const meanRow = r.mean
    ? `<table><tr><th>queries</th><th>AP@${k}</th><th>nDCG@${k}</th><th>MRR</th><th>P@${k}</th><th>R@${k}</th></tr><tr><td class="n">${r.queries}</td>${[r.mean.ap, r.mean.ndcg, r.mean.mrr, r.mean.precision, r.mean.recall].map((v) => `<td class="n">${fixed(v)}</td>`).join("")}</tr></table>`
    : `<p class="untrusted">No query could be scored.</p>`;
  const categoryChart = Object.keys(r.categories).length
    ? `<h3>Metrics per category</h3>${await renderChartSvg(runCategoriesOption(r.categories), { width: 720, height: 300 })}`
    : "";
  let retraining: string;
  if ("untrusted" in r.probe) retraining = `<p class="untrusted">Cannot be said: ${escapeHtml(r.probe.untrusted)}.</p>`;
  else {
    const p = r.probe;
    retraining = `<p>A linear probe trained on ${p.labelsPerQuery} labels per query (half relevant), ${p.folds}-fold cross-validated, against the zero-shot ranking, on the held-out labeled images.</p>
<table><tr><th>category</th><th>queries</th><th>zero-shot AP</th><th>probe AP</th><th>AP gained (95% interval)</th></tr>${p.categories
      .map((c) =>
        "gain" in c
          ? `<tr><td>${escapeHtml(c.category)}</td><td class="n">${c.queries}</td><td class="n">${fixed(c.zeroShotAp)}</td><td class="n">${fixed(c.probeAp)}</td><td class="n">${signed(c.gain)} (${signed(c.low)} to ${signed(c.high)})</td></tr>`
          : `<tr><td>${escapeHtml(c.category)}</td><td class="n">${c.queries}</td><td colspan="3" class="untrusted">${escapeHtml(c.untrusted)}</td></tr>`,
      )
      .join(
        "",
      )}</table>${p.categories.some((c) => "gain" in c) ? `<h3>AP gained by the probe, per category</h3>${await renderChartSvg(probeGainOption(p), { width: 720, height: 280 })}` : ""}`;
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Model report: ${escapeHtml(r.run.modelName)} on ${escapeHtml(r.collection)}</title><style>${REPORT_CSS}</style></head>
<body>
<h1>Model report: ${escapeHtml(r.run.modelName)} on ${escapeHtml(r.collection)}</h1>
<p>Run #${r.run.id} · ${escapeHtml(r.run.kind)} · k = ${k} · ${escapeHtml(r.run.source)} · made ${escapeHtml(new Date(r.run.createdAt).toISOString())}</p>
<p class="summary" id="summary">${escapeHtml(r.summary)}</p>
${meanRow}
${(r.run.means.leftOut ?? []).length ? `<p class="untrusted">Not scored (no number can be given): ${(r.run.means.leftOut ?? []).map((l) => `query ${escapeHtml(l.queryId)}: ${escapeHtml(l.reason)}`).join("; ")}.</p>` : ""}
${categoryChart}
<section id="errors"><h2>(a) ${REPORT_SECTIONS.errors}</h2>
<p>${e.falsePositives} false positives in the top ${k} of the scored queries${e.unjudgedInTopK ? ` (and ${e.unjudgedInTopK} images nobody judged, not counted)` : ""}.</p>
${counts("taxon", e.byTaxon)}${counts("query category", e.byCategory)}
<h3>Highest-ranked false positives</h3>${images(e.topFalsePositives, thumbs)}
<h3>Relevant images it ranks lowest</h3>${images(e.lowestRelevant, thumbs)}
${e.relevantUnranked ? `<p>${e.relevantUnranked} relevant images were not ranked by the run at all.</p>` : ""}
</section>
<section id="expert"><h2>(b) ${REPORT_SECTIONS.expert}</h2>
<table>
<tr><td>queries with precision@${k} below ${percent(x.threshold)}</td><td class="n">${x.belowThreshold} of ${x.queries} (${percent(x.shareBelow)})</td></tr>
<tr><td>"unsure" judgments</td><td class="n">${x.unsure} of ${x.judgments} (${percent(x.unsureRate)})</td></tr>
<tr><td>disagreement between experts</td><td class="n">${x.disagreementRate === null ? `<span class="untrusted">no image judged by two experts</span>` : `${percent(x.disagreementRate)} of ${x.pairs} images judged twice${x.kappa === null ? "" : `, Cohen's kappa ${fixed(x.kappa)}`}`}</td></tr>
</table></section>
<section id="retraining"><h2>(c) ${REPORT_SECTIONS.retraining}</h2>${retraining}</section>
<section id="provenance"><h2>How this report was made</h2>
<p>Run made by:</p><pre>${escapeHtml(r.provenance.runCommand ?? "(not recorded)")}</pre>
<p>Report made by:</p><pre>${escapeHtml(r.provenance.reportCommand)}</pre>
<ul>${r.provenance.data.map((d) => `<li>${escapeHtml(d)}</li>`).join("")}</ul>
<p>Generated ${escapeHtml(r.generatedAt)}.</p></section>
</body></html>
`;
}
