import type pg from "pg";
import { db } from "./client";

/**
 * Runs `work` in one transaction: committed if it returns, rolled back if it throws. On a pooled
 * connection of its own, or on `client` when the caller holds one (a session with its own settings or
 * locks; the caller releases it). `settings` are SET LOCAL for this transaction only, sent with BEGIN in
 * one round trip (searches run them on every request).
 */
export async function inTransaction<T>(
  work: (client: pg.PoolClient) => Promise<T>,
  opts: { client?: pg.PoolClient; settings?: string[] } = {},
): Promise<T> {
  const client = opts.client ?? (await db().connect());
  try {
    await client.query(["BEGIN", ...(opts.settings ?? []).map((s) => `SET LOCAL ${s}`)].join("; "));
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    if (!opts.client) client.release();
  }
}
