import type { ReportData } from "./build";

// The report's first paragraph: what the numbers mean, in plain words, worked out from them. A number
// that cannot be trusted is not quoted; the paragraph says why instead.

const pct = (x: number) => `${Math.round(x * 100)}%`;

export function reportSummary(r: Omit<ReportData, "summary">): string {
  const parts: string[] = [];
  const k = r.run.k;
  if (!r.mean || r.queries === 0) {
    parts.push(
      `No finished query with a relevant image could be scored, so this run says nothing yet about "${r.run.modelName}".`,
    );
    return parts.join(" ");
  }
  parts.push(
    `Over ${r.queries} finished ${r.queries === 1 ? "query" : "queries"}, "${r.run.modelName}" puts on average ${pct(r.mean.precision)} relevant images in its top ${k} and finds ${pct(r.mean.recall)} of each query's relevant images there (AP@${k} ${r.mean.ap.toFixed(2)}, where 1 would be every relevant image first).`,
  );
  if (r.errors.byTaxon.length)
    parts.push(
      `Its most frequent mistakes in the top ${k} are photos of ${r.errors.byTaxon[0].name} (${r.errors.byTaxon[0].count} of ${r.errors.falsePositives} false positives).`,
    );
  const e = r.expert;
  if (e.shareBelow !== null)
    parts.push(
      `${e.belowThreshold} of ${e.queries} queries (${pct(e.shareBelow)}) have fewer than ${pct(e.threshold)} relevant images in the top ${k}: for those an expert must still look through the results.`,
    );
  if (e.unsureRate !== null)
    parts.push(`Experts answered "unsure" on ${pct(e.unsureRate)} of ${e.judgments} judgments`);
  if (e.disagreementRate !== null)
    parts[parts.length - 1] +=
      ` and disagreed on ${pct(e.disagreementRate)} of the ${e.pairs} images two of them judged.`;
  else if (e.unsureRate !== null)
    parts[parts.length - 1] += "; no image was judged by two experts, so their agreement is not known.";
  if ("untrusted" in r.probe) parts.push(`Whether retraining would pay cannot be said: ${r.probe.untrusted}.`);
  else {
    const trusted = r.probe.categories.filter((c) => "gain" in c);
    if (!trusted.length) parts.push("Whether retraining would pay cannot be said: too few labels in every category.");
    else {
      const pays = trusted.filter((c) => c.low > 0).map((c) => c.category);
      const best = [...trusted].sort((a, b) => b.gain - a.gain)[0];
      parts.push(
        pays.length
          ? `A simple classifier trained on ${r.probe.labelsPerQuery} labels per query ranks better than the model alone in ${pays.join(", ")} (up to ${best.gain >= 0 ? "+" : ""}${best.gain.toFixed(2)} AP, more than chance across ${best.folds} folds), so retraining on labels like these would likely pay there.`
          : `A simple classifier trained on ${r.probe.labelsPerQuery} labels per query does not rank reliably better than the model alone in any category, so a few labels per query would not pay for retraining.`,
      );
    }
  }
  return parts.join(" ");
}
