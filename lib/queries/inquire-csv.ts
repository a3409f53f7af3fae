import { inTransaction } from "@/lib/db/transaction";
import type { QueryFields, Split } from "./fields";
import { QueryCsvError, type InquireQueryRow } from "./inquire-file";
import {
  applyQueryChange,
  checkSplitChange,
  findQuery,
  insertQuery,
  lockCollectionQueries,
  parseQueryFields,
  QueryInputError,
} from "./queries";

// Importing INQUIRE query files (read by ./inquire-file) into a collection's queries.

export type QueryImportResult = { created: number; updated: number; unchanged: number; total: number };

/**
 * Saves the rows as queries of the collection, all or nothing. A query already there (same id) is
 * updated where the file differs, keeping its taxon scope, notes and examples; `split`, when given,
 * is set on every row. Importing the same file twice changes nothing.
 */
export async function importInquireQueries(
  collectionId: number,
  rows: InquireQueryRow[],
  opts: { split?: Split; editorId?: string | null } = {},
): Promise<QueryImportResult> {
  const result: QueryImportResult = { created: 0, updated: 0, unchanged: 0, total: rows.length };
  const editorId = opts.editorId ?? null;
  await inTransaction(async (client) => {
    // the same rule as one query's editor: only leads and admins (or a script) set splits
    if (opts.split) await checkSplitChange(client, editorId, null, opts.split);
    await lockCollectionQueries(client, collectionId);
    for (const [position, row] of rows.entries()) {
      const current = await findQuery(collectionId, row.queryId, client);
      const base = current ?? { taxonScope: [], notes: null, examples: [], split: null };
      let fields: QueryFields;
      try {
        fields = parseQueryFields({
          text: row.text,
          supercategory: row.supercategory,
          category: row.category,
          iconicGroup: row.iconicGroup,
          taxonScope: base.taxonScope,
          notes: base.notes,
          examples: base.examples,
          split: opts.split ?? base.split,
        });
      } catch (e) {
        if (e instanceof QueryInputError) throw new QueryCsvError(`line ${row.line}: ${e.message}`, row.line, e.field);
        throw e;
      }
      if (current) {
        // a split an export froze stays as published: named with the file's line, before anything is saved
        try {
          await checkSplitChange(client, null, current.split, fields.split, current.rowId);
        } catch (e) {
          if (e instanceof QueryInputError)
            throw new QueryCsvError(`line ${row.line}: ${e.message}`, row.line, e.field);
          throw e;
        }
      }
      if (!current) {
        await insertQuery(client, collectionId, row.queryId, fields, editorId);
        result.created += 1;
      } else if (await applyQueryChange(client, current, fields, editorId)) {
        result.updated += 1;
      } else {
        result.unchanged += 1;
      }
      // where it stood in the file, for an export that writes the file back as it was
      await client.query(
        "UPDATE queries SET source_index = $3, source_position = $4 WHERE collection_id = $1 AND source_id = $2",
        [collectionId, row.queryId, row.index, position],
      );
    }
  });
  return result;
}
