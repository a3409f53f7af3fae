/**
 * Runs a CLI action with the database open (joining a running Fieldmark's embedded database, or opening
 * it here) and closes it afterwards, so every command works whether or not the app is running. `thread`:
 * a PGlite opened here runs on a worker thread (lib/db/embedded-thread).
 */
export async function withDatabase<T>(action: () => Promise<T>, opts: { thread?: boolean } = {}): Promise<T> {
  // loaded here, not at the top: commands without a database (eval, tokenize) need not load PGlite
  const { openDatabase } = await import("@/lib/db/open");
  const { readConfig } = await import("@/lib/config");
  const database = await openDatabase(readConfig(), opts);
  try {
    return await action();
  } finally {
    await database.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
