import { readConfig, type Config } from "@/lib/config";
import { closeClients, db } from "./client";
import { findRunningEmbedded, startEmbedded, type EmbeddedServer } from "./embedded";
import { migrate } from "./migrate";

export type OpenDatabase = {
  url: string;
  kind: "postgres" | "pglite";
  /** set when this process owns the embedded database */
  embedded?: EmbeddedServer;
  close: () => Promise<void>;
};

/**
 * Opens the database the environment names: DATABASE_URL if set, otherwise the embedded PGlite in the
 * data folder (joining the server another Fieldmark process runs there, or starting one). Applies
 * migrations and points this process's clients at it. `thread`: serve a PGlite started here from a worker
 * thread (lib/db/embedded-thread), so its queries and this process's JS run on two cores.
 */
export async function openDatabase(
  config: Config = readConfig(),
  opts: { port?: number; thread?: boolean } = {},
): Promise<OpenDatabase> {
  let url = config.databaseUrl;
  // a child of `fieldmark start` gets the embedded server's URL, and is told it is PGlite
  let kind: OpenDatabase["kind"] = process.env.FIELDMARK_DB_KIND === "pglite" ? "pglite" : "postgres";
  let embedded: EmbeddedServer | undefined;
  if (!url) {
    kind = "pglite";
    url = await findRunningEmbedded(config.dataDir);
    if (!url) {
      embedded = opts.thread
        ? await (await import("./embedded-thread")).startEmbeddedThread(config.dataDir, opts.port)
        : await startEmbedded(config.dataDir, opts.port);
      url = embedded.url;
    }
  }
  process.env.DATABASE_URL = url;
  process.env.FIELDMARK_DB_KIND = kind;
  try {
    await migrate(db());
  } catch (e) {
    await closeClients();
    await embedded?.stop();
    throw e;
  }
  return {
    url,
    kind,
    embedded,
    close: async () => {
      await closeClients();
      await embedded?.stop();
    },
  };
}
