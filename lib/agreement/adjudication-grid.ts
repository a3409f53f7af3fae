import type { QueueCandidate } from "@/lib/judgments/queue";
import type { AdjudicationItem } from "./adjudication";

// The adjudication grid without React: open items as the judging grid's cards (lib/judgments/grid-model
// holds and moves them), split into pages, and a grid write turned into the adjudication it means.
// One image can be open for two queries, so a card's key is the query and the image together. Free of
// server imports.

export type AdjudicationCard = QueueCandidate & {
  /** images.source_id (the card's own imageId is the key `${queryId}/${imageId}`) */
  image: string;
  item: AdjudicationItem;
};

export const cardKey = (queryId: string, imageId: string) => `${queryId}/${imageId}`;

/** The open items, in order, as cards (rank: the place in the list). */
export function adjudicationCards(items: readonly AdjudicationItem[]): AdjudicationCard[] {
  return items.map((item, i) => ({
    imageId: cardKey(item.queryId, item.imageId),
    image: item.imageId,
    source: "adjudication",
    sources: ["adjudication"],
    rank: i + 1,
    score: 0,
    width: item.width,
    height: item.height,
    status: item.status,
    statusReason: item.statusReason,
    taxon: item.taxon,
    item,
  }));
}

export function toPages<T>(cards: readonly T[], pageSize: number): T[][] {
  const size = Math.max(1, Math.floor(pageSize));
  const pages: T[][] = [];
  for (let i = 0; i < cards.length; i += size) pages.push(cards.slice(i, i + size));
  return pages;
}

export type AdjudicationWrite = { queryId: string; imageId: string; value: "relevant" | "not_relevant" };

/** What a grid write means here: the final label of the card's (query, image), or null (unsure, withdrawals: not final labels). */
export function adjudicationOf(
  write: { imageId: string; value: string | null },
  cards: ReadonlyMap<string, AdjudicationCard>,
): AdjudicationWrite | null {
  const card = cards.get(write.imageId);
  if (!card || (write.value !== "relevant" && write.value !== "not_relevant")) return null;
  return { queryId: card.item.queryId, imageId: card.image, value: write.value };
}
