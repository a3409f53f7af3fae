import type pg from "pg";
import { inTransaction } from "@/lib/db/transaction";

// Publishing fixes what was published: the exported queries' splits (queries.split_frozen_at) and the
// rerank set (rerank_sets.frozen_at), each stamped once, by the first export that publishes it. A lead
// may move a split, or the set may be rebuilt, only until then; re-pinning makes a new set version.
// (lib/splits will hold the splits' half; until it does, the export freezes them here.)

export async function freezePublished(
  queryRowIds: readonly number[],
  rerankSetId: number | null,
  client?: pg.PoolClient,
): Promise<{ splitsFrozen: number; rerankSetFrozen: boolean }> {
  return inTransaction(
    async (c) => {
      const splits = await c.query(
        "UPDATE queries SET split_frozen_at = now() WHERE id = ANY($1::int[]) AND split_frozen_at IS NULL",
        [queryRowIds],
      );
      const set = rerankSetId
        ? await c.query("UPDATE rerank_sets SET frozen_at = now() WHERE id = $1 AND frozen_at IS NULL", [rerankSetId])
        : { rowCount: 0 };
      return { splitsFrozen: splits.rowCount ?? 0, rerankSetFrozen: (set.rowCount ?? 0) > 0 };
    },
    client ? { client } : {},
  );
}
