import { JUDGMENT_VALUES, type JudgmentValue } from "@/lib/judgments/values";

// Agreement between two annotators who judged the same images: raw agreement and Cohen's kappa over
// the three judgments (relevant, not relevant, unsure), as scikit-learn's cohen_kappa_score computes it.
// Pure functions over pairs; tests/agreement checks them against scikit-learn.

/** Two judgments of one image by two annotators. */
export type JudgmentPair = { a: JudgmentValue; b: JudgmentValue };

export type Agreement = {
  /** how many images both judged */
  pairs: number;
  /** share of those with the same judgment; null with no pair */
  raw: number | null;
  /**
   * Cohen's kappa; null when it is undefined: no pair, or both used one and the same judgment for
   * everything (chance agreement is then 1, and kappa 0/0; raw agreement still says they agree)
   */
  kappa: number | null;
};

/** Raw agreement and Cohen's kappa of a list of pairs (unweighted, three categories). */
export function agreementOf(pairs: readonly JudgmentPair[]): Agreement {
  const n = pairs.length;
  if (n === 0) return { pairs: 0, raw: null, kappa: null };
  const index = new Map(JUDGMENT_VALUES.map((v, i) => [v, i]));
  const k = JUDGMENT_VALUES.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const { a, b } of pairs) confusion[index.get(a)!][index.get(b)!]++;
  const rowSums = confusion.map((row) => row.reduce((s, x) => s + x, 0));
  const colSums = confusion[0].map((_, j) => confusion.reduce((s, row) => s + row[j], 0));
  let observedDisagreement = 0;
  let expectedDisagreement = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (i === j) continue;
      observedDisagreement += confusion[i][j];
      expectedDisagreement += (rowSums[i] * colSums[j]) / n;
    }
  }
  const raw = 1 - observedDisagreement / n;
  // scikit-learn: kappa = 1 - sum(w * observed) / sum(w * expected), with w = 1 off the diagonal
  const kappa = expectedDisagreement === 0 ? null : 1 - observedDisagreement / expectedDisagreement;
  return { pairs: n, raw, kappa };
}

/** One annotator's judgment of one image for one query. */
export type Judged = { queryId: string; imageId: string; annotatorId: string; value: JudgmentValue };

export type AgreementReport = {
  overall: Agreement;
  perQuery: Map<string, Agreement>;
  /** keyed "annotatorA|annotatorB" with the two ids in sorted order */
  perPair: Map<string, Agreement & { annotators: [string, string] }>;
};

/**
 * Agreement over every image judged by two or more annotators: each two annotators of an image make a
 * pair (ordered by annotator id, so a pair's table is the same whoever judged first), pooled per
 * query, per annotator pair and overall.
 */
export function agreementReport(judgments: readonly Judged[]): AgreementReport {
  const byItem = new Map<string, Judged[]>();
  for (const j of judgments) {
    const key = `${j.queryId}\u0000${j.imageId}`;
    const list = byItem.get(key);
    if (list) list.push(j);
    else byItem.set(key, [j]);
  }
  const all: JudgmentPair[] = [];
  const perQuery = new Map<string, JudgmentPair[]>();
  const perPair = new Map<string, { annotators: [string, string]; pairs: JudgmentPair[] }>();
  for (const list of byItem.values()) {
    const sorted = [...list].sort((x, y) =>
      x.annotatorId < y.annotatorId ? -1 : x.annotatorId > y.annotatorId ? 1 : 0,
    );
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) {
        const x = sorted[i];
        const y = sorted[j];
        if (x.annotatorId === y.annotatorId)
          throw new Error(`annotator ${x.annotatorId} judged image ${x.imageId} twice for query ${x.queryId}`);
        const pair = { a: x.value, b: y.value };
        all.push(pair);
        const inQuery = perQuery.get(x.queryId);
        if (inQuery) inQuery.push(pair);
        else perQuery.set(x.queryId, [pair]);
        const key = `${x.annotatorId}|${y.annotatorId}`;
        const entry = perPair.get(key) ?? { annotators: [x.annotatorId, y.annotatorId] as [string, string], pairs: [] };
        entry.pairs.push(pair);
        perPair.set(key, entry);
      }
    }
  }
  return {
    overall: agreementOf(all),
    perQuery: new Map([...perQuery].map(([q, pairs]) => [q, agreementOf(pairs)])),
    perPair: new Map([...perPair].map(([key, e]) => [key, { ...agreementOf(e.pairs), annotators: e.annotators }])),
  };
}
