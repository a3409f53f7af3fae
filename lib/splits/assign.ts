import type { Split } from "@/lib/queries/fields";
import { rng, shuffled } from "@/lib/random";

// Val/test splits stratified by supercategory, INQUIRE's way of keeping both splits alike: each
// supercategory gives the val split its share of queries. Seeded, so the same queries and seed give the
// same split whatever order they come in; a query that already has a split (imported from INQUIRE, or
// moved by a lead) keeps it and counts toward its stratum's share.

export type SplitCandidate = { queryId: string; supercategory: string | null; split?: Split | null };
export type SplitOptions = { valShare?: number; seed?: number };

export const DEFAULT_VAL_SHARE = 0.2;
const NONE = "(no supercategory)";

/** A 32-bit FNV-1a hash: a stratum's own seed, so adding a stratum leaves the others' draws alone. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * How many val queries each stratum gets: share x size, rounded by largest remainder so the total is
 * round(share x all) (ties to the stratum named first).
 */
export function valQuotas(sizes: ReadonlyMap<string, number>, valShare: number): Map<string, number> {
  const names = [...sizes.keys()].sort();
  const total = names.reduce((s, n) => s + sizes.get(n)!, 0);
  const exact = names.map((n) => sizes.get(n)! * valShare);
  const quotas = exact.map(Math.floor);
  let left = Math.round(total * valShare) - quotas.reduce((s, q) => s + q, 0);
  const byRemainder = names.map((_, i) => i).sort((a, b) => exact[b] - quotas[b] - (exact[a] - quotas[a]) || a - b);
  for (const i of byRemainder) {
    if (left <= 0) break;
    quotas[i]++;
    left--;
  }
  return new Map(names.map((n, i) => [n, quotas[i]]));
}

/** The split of every query: those that have one keep it; the rest are drawn per supercategory. */
export function assignSplits(queries: readonly SplitCandidate[], opts: SplitOptions = {}): Map<string, Split> {
  const valShare = opts.valShare ?? DEFAULT_VAL_SHARE;
  if (!(valShare >= 0 && valShare <= 1)) throw new Error(`the val share is a fraction from 0 to 1 (got ${valShare})`);
  const seed = opts.seed ?? 0;
  const seen = new Set<string>();
  const strata = new Map<string, SplitCandidate[]>();
  for (const q of queries) {
    if (seen.has(q.queryId)) throw new Error(`query ${q.queryId} is listed twice`);
    seen.add(q.queryId);
    const key = q.supercategory ?? NONE;
    const stratum = strata.get(key);
    if (stratum) stratum.push(q);
    else strata.set(key, [q]);
  }
  const quotas = valQuotas(new Map([...strata].map(([k, list]) => [k, list.length])), valShare);
  const out = new Map<string, Split>();
  for (const [stratum, list] of strata) {
    for (const q of list) if (q.split) out.set(q.queryId, q.split);
    const fixedVal = list.filter((q) => q.split === "val").length;
    const open = list
      .filter((q) => !q.split)
      .sort((a, b) => (a.queryId < b.queryId ? -1 : a.queryId > b.queryId ? 1 : 0));
    const wanted = Math.max(0, Math.min(open.length, quotas.get(stratum)! - fixedVal));
    const drawn = shuffled(open, rng((seed ^ hash(stratum)) >>> 0));
    drawn.forEach((q, i) => out.set(q.queryId, i < wanted ? "val" : "test"));
  }
  return out;
}
