import type pg from "pg";
import { can, PermissionError } from "@/lib/auth/permissions";
import { isRole } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import { resolveTaxonIds } from "@/lib/filters/sql";
import type { RecallEstimate } from "@/lib/recall/estimate";
import { queryFieldsSchema, type QueryFields, type QueryFieldsInput, type QueryStatus } from "./fields";

// Queries of a collection: create, edit (every saved change is a revision with a full snapshot), read.
// A query's id as users see it is queries.source_id (INQUIRE's query_id, or a number given here).

export class QueryInputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "QueryInputError";
  }
}

export type QueryRecord = QueryFields & {
  id: string;
  rowId: number;
  collectionId: number;
  status: QueryStatus;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** how many revisions are saved; an editor sends back the number it saw, so a concurrent edit is caught */
  revision: number;
};

/** What a revision records: the query as it was after that save. */
export type QuerySnapshot = QueryFields & { status: QueryStatus };
export type QueryRevision = {
  number: number;
  at: Date;
  editor: string | null;
  snapshot: QuerySnapshot;
  changed: (keyof QuerySnapshot)[];
};

type Queryable = pg.Pool | pg.PoolClient;

const SELECT_QUERY = `
  SELECT q.id AS "rowId", q.source_id AS id, q.collection_id AS "collectionId", q.text, q.supercategory, q.category,
         q.iconic_group AS "iconicGroup", q.taxon_scope AS "taxonScope", q.notes, q.split, q.status,
         q.created_by AS "createdBy", q.created_at AS "createdAt", q.updated_at AS "updatedAt",
         (SELECT count(*)::int FROM query_revisions r WHERE r.query_id = q.id) AS revision,
         coalesce((SELECT array_agg(i.source_id ORDER BY e.position) FROM query_examples e JOIN images i ON i.id = e.image_id
                    WHERE e.query_id = q.id), '{}') AS examples
    FROM queries q`;

const NUMERIC_ID = "'^[0-9]{1,15}$'";
/** INQUIRE's ids are numbers: list them in numeric order, any other ids after them. */
export const QUERY_ORDER = `(q.source_id ~ ${NUMERIC_ID}) DESC, CASE WHEN q.source_id ~ ${NUMERIC_ID} THEN q.source_id::bigint END, q.source_id`;

export async function findQuery(
  collectionId: number,
  sourceId: string,
  client: Queryable = db(),
): Promise<QueryRecord | null> {
  const { rows } = await client.query<QueryRecord>(`${SELECT_QUERY} WHERE q.collection_id = $1 AND q.source_id = $2`, [
    collectionId,
    sourceId,
  ]);
  return rows[0] ?? null;
}

/** Checks raw input against the schema; the error names the field. */
export function parseQueryFields(input: unknown): QueryFields {
  const parsed = queryFieldsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new QueryInputError(issue.message, issue.path.map(String).join(".") || undefined);
  }
  return parsed.data;
}

async function checkTaxonScope(
  client: Queryable,
  collectionId: number,
  scope: QueryFields["taxonScope"],
): Promise<void> {
  for (const entry of scope) {
    // the filter candidate surfacing applies (lib/filters), so a scope that passes here selects images there
    const taxonIds = await resolveTaxonIds(collectionId, { taxon: entry.name, rank: entry.rank }, client);
    if (!taxonIds?.length)
      throw new QueryInputError(
        `Taxon scope: this collection has no ${entry.rank} named "${entry.name}"`,
        "taxonScope",
      );
  }
}

/** Example image source ids to row ids, in order; an unknown id is an error that names it. */
async function resolveExamples(client: Queryable, collectionId: number, examples: string[]): Promise<number[]> {
  if (examples.length === 0) return [];
  const { rows } = await client.query<{ id: number; source_id: string }>(
    "SELECT id, source_id FROM images WHERE collection_id = $1 AND source_id = ANY($2::text[])",
    [collectionId, examples],
  );
  const bySource = new Map(rows.map((r) => [r.source_id, r.id]));
  const missing = examples.filter((e) => !bySource.has(e));
  if (missing.length)
    throw new QueryInputError(`Example images not in this collection: ${missing.join(", ")}`, "examples");
  return [...new Set(examples)].map((e) => bySource.get(e)!);
}

async function writeExamples(client: Queryable, queryRowId: number, imageRowIds: number[]): Promise<void> {
  await client.query("DELETE FROM query_examples WHERE query_id = $1", [queryRowId]);
  if (imageRowIds.length === 0) return;
  await client.query(
    `INSERT INTO query_examples (query_id, image_id, position)
     SELECT $1, image_id, position::int - 1 FROM unnest($2::bigint[]) WITH ORDINALITY AS e(image_id, position)`,
    [queryRowId, imageRowIds],
  );
}

export function snapshotOf(fields: QueryFields, status: QueryStatus): QuerySnapshot {
  return {
    text: fields.text,
    supercategory: fields.supercategory,
    category: fields.category,
    iconicGroup: fields.iconicGroup,
    taxonScope: fields.taxonScope,
    notes: fields.notes,
    examples: fields.examples,
    split: fields.split,
    status,
  };
}

/** JSON with object keys sorted: jsonb hands objects back with its own key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value ?? null, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

const SNAPSHOT_KEYS: (keyof QuerySnapshot)[] = [
  "text",
  "supercategory",
  "category",
  "iconicGroup",
  "taxonScope",
  "notes",
  "examples",
  "split",
  "status",
];

function changedKeys(before: QuerySnapshot | null, after: QuerySnapshot): (keyof QuerySnapshot)[] {
  if (!before) return SNAPSHOT_KEYS;
  return SNAPSHOT_KEYS.filter((k) => canonical(before[k]) !== canonical(after[k]));
}

export async function addRevision(
  client: Queryable,
  queryRowId: number,
  editorId: string | null,
  snapshot: QuerySnapshot,
): Promise<void> {
  await client.query("INSERT INTO query_revisions (query_id, editor_id, snapshot) VALUES ($1, $2, $3)", [
    queryRowId,
    editorId,
    JSON.stringify(snapshot),
  ]);
}

/** Serialises id assignment and imports within one collection. */
export async function lockCollectionQueries(client: pg.PoolClient, collectionId: number): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(7230120, $1)", [collectionId]);
}

/**
 * Refuses a split change unless the editor may set splits (lib/auth/permissions: a lead's decision).
 * The editor's role is read here, not taken from the caller, so no way in can skip the rule; null is
 * no person (an import run by a script, the CLI), which may. A split an export froze
 * (queries.split_frozen_at, of the query `queryRowId`) changes for nobody, a script included; a
 * trigger in the database refuses it as well, whatever writes it.
 */
export async function checkSplitChange(
  client: Queryable,
  editorId: string | null,
  before: QueryFields["split"],
  after: QueryFields["split"],
  queryRowId?: number,
): Promise<void> {
  if (before === after) return;
  if (queryRowId !== undefined) {
    const frozen = (
      await client.query<{ sourceId: string; frozenAt: Date | null }>(
        `SELECT source_id AS "sourceId", split_frozen_at AS "frozenAt" FROM queries WHERE id = $1`,
        [queryRowId],
      )
    ).rows[0];
    if (frozen?.frozenAt)
      throw new QueryInputError(
        `Query ${frozen.sourceId}'s split is frozen (exported ${frozen.frozenAt.toISOString()}): it stays ${before ?? "unset"}`,
        "split",
      );
  }
  if (editorId === null) return;
  const { rows } = await client.query<{ role: string }>("SELECT role FROM users WHERE id = $1", [editorId]);
  const role = rows[0]?.role;
  if (!isRole(role) || !can({ role }, "queries.set-split"))
    throw new PermissionError("queries.set-split", "Only leads and admins set a query's split", "split");
}

async function nextSourceId(client: Queryable, collectionId: number): Promise<string> {
  const { rows } = await client.query<{ next: string }>(
    `SELECT (coalesce(max(source_id::bigint), 0) + 1)::text AS next FROM queries WHERE collection_id = $1 AND source_id ~ ${NUMERIC_ID}`,
    [collectionId],
  );
  return rows[0].next;
}

/** Inserts a checked query with its first revision; the caller holds the collection's lock. */
export async function insertQuery(
  client: pg.PoolClient,
  collectionId: number,
  sourceId: string,
  fields: QueryFields,
  editorId: string | null,
): Promise<number> {
  await checkTaxonScope(client, collectionId, fields.taxonScope);
  const exampleRows = await resolveExamples(client, collectionId, fields.examples);
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO queries (collection_id, source_id, text, supercategory, category, iconic_group, taxon_scope, notes, split, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [
      collectionId,
      sourceId,
      fields.text,
      fields.supercategory,
      fields.category,
      fields.iconicGroup,
      JSON.stringify(fields.taxonScope),
      fields.notes,
      fields.split,
      editorId,
    ],
  );
  const rowId = rows[0].id;
  await writeExamples(client, rowId, exampleRows);
  await addRevision(client, rowId, editorId, snapshotOf(fields, "draft"));
  return rowId;
}

/** Saves `fields` over `current` if anything differs (a new revision); returns whether it did. */
export async function applyQueryChange(
  client: pg.PoolClient,
  current: QueryRecord,
  fields: QueryFields,
  editorId: string | null,
): Promise<boolean> {
  const before = snapshotOf(current, current.status);
  const after = snapshotOf(fields, current.status);
  if (changedKeys(before, after).length === 0) return false;
  await checkTaxonScope(client, current.collectionId, fields.taxonScope);
  const exampleRows = await resolveExamples(client, current.collectionId, fields.examples);
  await client.query(
    `UPDATE queries SET text = $2, supercategory = $3, category = $4, iconic_group = $5, taxon_scope = $6, notes = $7, split = $8,
            updated_at = now() WHERE id = $1`,
    [
      current.rowId,
      fields.text,
      fields.supercategory,
      fields.category,
      fields.iconicGroup,
      JSON.stringify(fields.taxonScope),
      fields.notes,
      fields.split,
    ],
  );
  await writeExamples(client, current.rowId, exampleRows);
  await addRevision(client, current.rowId, editorId, after);
  return true;
}

/** A new query; its id is the next number in the collection unless `sourceId` is given. */
export async function createQuery(
  collectionId: number,
  input: QueryFieldsInput,
  editorId: string | null,
  opts: { sourceId?: string } = {},
): Promise<QueryRecord> {
  const fields = parseQueryFields(input);
  return inTransaction(async (client) => {
    await lockCollectionQueries(client, collectionId);
    await checkSplitChange(client, editorId, null, fields.split);
    const sourceId = opts.sourceId ?? (await nextSourceId(client, collectionId));
    if (await findQuery(collectionId, sourceId, client))
      throw new QueryInputError(`A query with id ${sourceId} already exists in this collection`, "id");
    await insertQuery(client, collectionId, sourceId, fields, editorId);
    return (await findQuery(collectionId, sourceId, client))!;
  });
}

/**
 * Changes some fields of a query (the rest stay). With `expectedRevision`, refuses when someone else
 * saved in between, instead of silently overwriting their edit.
 */
export async function updateQuery(
  collectionId: number,
  sourceId: string,
  changes: Partial<QueryFieldsInput>,
  editorId: string | null,
  opts: { expectedRevision?: number } = {},
): Promise<QueryRecord> {
  return inTransaction(async (client) => {
    await client.query("SELECT 1 FROM queries WHERE collection_id = $1 AND source_id = $2 FOR UPDATE", [
      collectionId,
      sourceId,
    ]);
    const current = await findQuery(collectionId, sourceId, client);
    if (!current) throw new QueryInputError(`No query ${sourceId} in this collection`, "id");
    if (opts.expectedRevision !== undefined && opts.expectedRevision !== current.revision) {
      throw new QueryInputError(
        `Someone else saved this query since you opened it (revision ${current.revision}, you had ${opts.expectedRevision}): reload to see their changes`,
        "revision",
      );
    }
    const {
      rowId,
      id,
      collectionId: _c,
      status,
      createdBy,
      createdAt,
      updatedAt,
      revision,
      ...currentFields
    } = current;
    const fields = parseQueryFields({ ...currentFields, ...changes });
    await checkSplitChange(client, editorId, current.split, fields.split, current.rowId);
    await applyQueryChange(client, current, fields, editorId);
    return (await findQuery(collectionId, sourceId, client))!;
  });
}

export async function listRevisions(queryRowId: number): Promise<QueryRevision[]> {
  const { rows } = await db().query<{ at: Date; editor: string | null; snapshot: QuerySnapshot }>(
    `SELECT r.created_at AS at, u.name AS editor, r.snapshot FROM query_revisions r LEFT JOIN users u ON u.id = r.editor_id
      WHERE r.query_id = $1 ORDER BY r.id`,
    [queryRowId],
  );
  return rows.map((r, i) => ({
    number: i + 1,
    ...r,
    changed: changedKeys(i === 0 ? null : rows[i - 1].snapshot, r.snapshot),
  }));
}

export type QuerySummary = Pick<
  QueryRecord,
  "id" | "text" | "supercategory" | "category" | "iconicGroup" | "split" | "status" | "updatedAt"
> & {
  /** images judged by anyone, and judged relevant by anyone */
  judged: number;
  relevant: number;
  candidates: number;
  /** the stopping signals agree (lib/active-learning/stopping); a lead then finishes it */
  looksComplete: boolean;
  /** the last round's recall estimate: recall with its 95% interval, or why there is no number */
  recall: { recall: number; low: number; high: number } | { untrusted: string } | null;
};

export async function listQueries(collectionId: number): Promise<QuerySummary[]> {
  const { rows } = await db().query<Omit<QuerySummary, "recall"> & { estimate: RecallEstimate | null }>(
    `SELECT q.source_id AS id, q.text, q.supercategory, q.category, q.iconic_group AS "iconicGroup", q.split, q.status,
            q.updated_at AS "updatedAt",
            (SELECT count(DISTINCT j.image_id)::int FROM judgments j WHERE j.query_id = q.id) AS judged,
            (SELECT count(DISTINCT j.image_id)::int FROM judgments j WHERE j.query_id = q.id AND j.value = 'relevant') AS relevant,
            (SELECT count(DISTINCT c.image_id)::int FROM candidates c WHERE c.query_id = q.id) AS candidates,
            coalesce(l.looks_complete, false) AS "looksComplete", l.signals->'estimate' AS estimate
       FROM queries q LEFT JOIN query_learning l ON l.query_id = q.id
      WHERE q.collection_id = $1 ORDER BY ${QUERY_ORDER}`,
    [collectionId],
  );
  return rows.map(({ estimate, ...r }) => ({
    ...r,
    recall: !estimate
      ? null
      : estimate.trusted
        ? { recall: estimate.recall, low: estimate.recallLow, high: estimate.recallHigh }
        : { untrusted: estimate.reason ?? "too few audit judgments" },
  }));
}

/** Just the ids of a query named by its collection's name and its own id: the hot paths need no more. */
export type QueryRef = { rowId: number; collectionId: number };

// The judging endpoints look the same query up on every request (fifty experts, a judgment a second
// each); its ids never change, so a found query is remembered for a little while. A query deleted
// meanwhile fails its writes on the foreign key until the entry lapses, then answers 404.
const REF_MEMO_MS = 10_000;
const refMemo = new Map<string, { ref: QueryRef; until: number }>();

/** findQueryRef, remembered for REF_MEMO_MS once found: for the hot paths. */
export async function findQueryRefFast(collectionName: string, sourceId: string): Promise<QueryRef | null> {
  const key = `${collectionName}\u0000${sourceId}`;
  const now = Date.now();
  const known = refMemo.get(key);
  if (known && known.until > now) return known.ref;
  const found = await findQueryRef(collectionName, sourceId);
  if (refMemo.size >= 10_000) refMemo.clear();
  if (found) refMemo.set(key, { ref: found, until: now + REF_MEMO_MS });
  return found;
}

/** The query `sourceId` of the collection named `collectionName`, or null when either is missing. */
export async function findQueryRef(collectionName: string, sourceId: string): Promise<QueryRef | null> {
  const { rows } = await db().query<QueryRef>(
    `SELECT c.id AS "collectionId", q.id AS "rowId" FROM collections c
       JOIN queries q ON q.collection_id = c.id AND q.source_id = $2 WHERE c.name = $1`,
    [collectionName, sourceId],
  );
  return rows[0] ?? null;
}
