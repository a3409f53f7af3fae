import type { FinalLabelRow } from "@/lib/agreement/labels";
import { db } from "@/lib/db/client";
import { csvRow } from "./csv";
import type { PlannedQuery } from "./plan";

// inquire_annotations.csv: INQUIRE's `query_id,image_id,image_path`, no index column, one row per
// relevant (query, image) pair by final label (lib/agreement/labels, the one place "relevant" is
// decided). image_path is the image's file name as the collection has it (iNat24's
// train/<taxon folder>/<uuid>.jpg for an iNat import). Rows follow the queries in id order, then image
// ids ascending (numerically when both are whole numbers), so two exports give the same bytes.

export const ANNOTATION_COLUMNS = ["query_id", "image_id", "image_path"] as const;

export type AnnotationLine = { queryId: string; imageId: string; imagePath: string };

/** Compares ids the way the files sort them: whole numbers by value and first, the rest by code point. */
export function compareIds(a: string, b: string): number {
  return compareKnownIds(a, /^\d+$/.test(a), b, /^\d+$/.test(b));
}

/** compareIds when whether each id is a whole number is already known (sorting very many ids). */
export function compareKnownIds(a: string, na: boolean, b: string, nb: boolean): number {
  if (na && nb) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The relevant pairs of the queries by their final labels (finalLabels of these queries), in file order. */
export async function annotationLines(
  queries: readonly PlannedQuery[],
  labels: readonly FinalLabelRow[],
): Promise<AnnotationLine[]> {
  // relevantByQuery's rule over labels read once for the whole export
  const relevant = new Map<number, number[]>(queries.map((q) => [q.id, []]));
  for (const l of labels) if (l.value === "relevant") relevant.get(l.queryId)?.push(l.imageId);
  const imageIds = [...new Set([...relevant.values()].flat())];
  const { rows } = await db().query<{ id: string; sourceId: string; fileName: string }>(
    `SELECT id::text, source_id AS "sourceId", file_name AS "fileName" FROM images WHERE id = ANY($1::bigint[])`,
    [imageIds],
  );
  const images = new Map(rows.map((r) => [Number(r.id), r]));
  const lines: AnnotationLine[] = [];
  for (const q of queries) {
    const mine = (relevant.get(q.id) ?? []).map((id) => images.get(id)!);
    mine.sort((a, b) => compareIds(a.sourceId, b.sourceId));
    for (const image of mine) lines.push({ queryId: q.sourceId, imageId: image.sourceId, imagePath: image.fileName });
  }
  return lines;
}

export function annotationsCsv(lines: readonly AnnotationLine[]): string {
  return [csvRow([...ANNOTATION_COLUMNS]), ...lines.map((l) => csvRow([l.queryId, l.imageId, l.imagePath]))].join("");
}
