import { rerankSetRows } from "@/lib/rerank/read";

// A rerank set's items as evaluation reads them: lib/rerank's reader (items with their final-label
// relevance), narrowed to the included queries, keyed by query row id.

export type RerankSetRow = { imageRowId: number; imageId: string; rank: number; relevant: boolean };

/** The items of the set's included queries, by query row id, in the set's rank order. */
export async function rerankSetItems(setId: number): Promise<Map<number, RerankSetRow[]>> {
  const out = new Map<number, RerankSetRow[]>();
  for (const q of await rerankSetRows(setId)) {
    if (q.status !== "included") continue;
    out.set(
      q.queryRowId,
      q.items.map((i) => ({ imageRowId: i.imageRowId, imageId: i.imageId, rank: i.rank, relevant: i.relevant })),
    );
  }
  return out;
}
