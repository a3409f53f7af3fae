import type { QueryJudgment } from "@/lib/agreement/labels";
import { db } from "@/lib/db/client";
import type { JudgmentValue } from "@/lib/judgments/values";
import { PackedReader } from "./packed-text";

// An export reads every judgment of its queries once, here, with all it needs: the compact fields the
// final labels and agreement are decided from (lib/agreement/labels' QueryJudgment: the same as
// judgmentsByQuery gives, tests/export/judgments-read checks), and what judgments.jsonl writes besides.

/** One judgment: a QueryJudgment, and what the judgments file writes of it. */
export type ExportJudgment = QueryJudgment & {
  queryId: number;
  /** the image's own id (images.source_id) */
  image: string;
  /** first and last judged, ms since 1970 */
  first: number;
  last: number;
  timeSpentMs: number | null;
  /** the stored history's JSON, "" when it has none */
  history: string;
  source: string | null;
};

export type ExportJudgments = {
  /** every judgment, in the order the database gave them */
  rows: ExportJudgment[];
  /** each query's judgments (every id given, [] when none) in the order made, as judgmentsByQuery gives */
  byQuery: Map<number, ExportJudgment[]>;
};

const VALUE: Record<string, JudgmentValue> = { r: "relevant", n: "not_relevant", u: "unsure" };
const DAY_MS = 86_400_000;

// Packed: id␟query␟image row␟value␟first ms␟last ms, empty when the same␟time spent␟history␟source
// (milliseconds by casting seconds × 1000 to int8, which rounds to the nearest: round() costs more).
// Numbers and fixed-form fields in one text (the database formats them cheaply; a client reads one field
// faster than nine); the texts a user or an import chose (image id, annotator id) as columns of their
// own, so no separator can hide in them. A source is "=" and itself, so no source and "" stay apart.
type Row = [packed: string, image: string, annotatorId: string];

export async function readExportJudgments(queryIds: readonly number[]): Promise<ExportJudgments> {
  const byQuery = new Map<number, ExportJudgment[]>(queryIds.map((id) => [id, []]));
  if (!queryIds.length) return { rows: [], byQuery };
  const { rows } = await db().query<Row>({
    text: `SELECT concat_ws(E'\\x1f', j.id, j.query_id, j.image_id,
                     CASE j.value WHEN 'relevant' THEN 'r' WHEN 'not_relevant' THEN 'n' ELSE 'u' END,
                     (date_part('epoch', j.created_at) * 1000)::int8,
                     CASE WHEN j.updated_at = j.created_at THEN '' ELSE (date_part('epoch', j.updated_at) * 1000)::int8::text END,
                     coalesce(j.time_spent_ms::text, ''),
                     CASE WHEN j.history <> '[]'::jsonb THEN j.history::text ELSE '' END,
                     coalesce('=' || j.source, '')),
                   i.source_id, j.annotator_id
              FROM judgments j JOIN images i ON i.id = j.image_id
             WHERE j.query_id = ANY($1::int[])`,
    values: [queryIds],
    rowMode: "array",
  });
  const annotators = new Map<string, string>(); // one string per annotator, not one per judgment
  const out = rows.map(([packed, image, rawAnnotator]): ExportJudgment => {
    const r = new PackedReader(packed);
    const id = r.number();
    const queryId = r.number();
    const imageId = r.number();
    const code = r.char();
    const value = VALUE[code];
    if (!value) throw new Error(`judgment ${id} (image ${image}, query row ${queryId}): unknown value "${code}"`);
    const first = r.number();
    const changed = r.text();
    const spent = r.text();
    const history = r.text();
    const source = r.rest();
    let annotatorId = annotators.get(rawAnnotator);
    if (annotatorId === undefined) annotators.set(rawAnnotator, (annotatorId = rawAnnotator));
    return {
      id,
      queryId,
      imageId,
      annotatorId,
      value,
      day: Math.floor(first / DAY_MS),
      image,
      first,
      last: changed ? Number(changed) : first,
      timeSpentMs: spent ? Number(spent) : null,
      history,
      source: source ? source.slice(1) : null,
    };
  });
  for (const j of out) byQuery.get(j.queryId)?.push(j);
  for (const [queryId, list] of byQuery) {
    let ordered = true;
    for (let i = 1; i < list.length && ordered; i++) ordered = list[i - 1].id < list[i].id;
    if (!ordered)
      byQuery.set(
        queryId,
        list.sort((a, b) => a.id - b.id),
      );
  }
  return { rows: out, byQuery };
}
