import { inTransaction } from "@/lib/db/transaction";
import { freezeSplits } from "@/lib/splits/splits";

// Publishing fixes what was published: the exported queries' splits (lib/splits' freezeSplits) and the
// rerank set (rerank_sets.frozen_at), each stamped once, by the first export that publishes it, in one
// transaction. A lead may move a split, or the set may be rebuilt, only until then; re-pinning makes a
// new set version. (lib/rerank has no freeze of its own yet: the set's one UPDATE is here.)

export async function freezePublished(
  queryRowIds: readonly number[],
  rerankSetId: number | null,
): Promise<{ splitsFrozen: number; rerankSetFrozen: boolean }> {
  return inTransaction(async (c) => {
    const splits = await freezeSplits(c, queryRowIds);
    const set = rerankSetId
      ? await c.query("UPDATE rerank_sets SET frozen_at = now() WHERE id = $1 AND frozen_at IS NULL", [rerankSetId])
      : { rowCount: 0 };
    return { splitsFrozen: splits.frozen, rerankSetFrozen: (set.rowCount ?? 0) > 0 };
  });
}
