import type { Command } from "commander";
import { printJson, withDatabase } from "../run";
import { progressBar } from "../progress";

// fieldmark backup [file] | --out <file>   one file holding the whole database (lib/backup/format.ts)
// fieldmark restore <file> [--force]       into an empty database of either kind

/** Tables with fewer rows than this go by without a progress bar. */
const BAR_FROM_ROWS = 10_000;

const n = (x: number) => x.toLocaleString("en-US");

function tableBars(verb: string) {
  let current: { key: string; bar: ReturnType<typeof progressBar> } | undefined;
  return {
    update(key: string, label: string, done: number, total: number) {
      if (total < BAR_FROM_ROWS) return;
      if (current?.key !== key) {
        current?.bar.end();
        current = { key, bar: progressBar(`${verb} ${label}`) };
      }
      current.bar.update(done, total);
    },
    end() {
      current?.bar.end();
      current = undefined;
    },
  };
}

const SECRET_NOTE = `
What travels: every table of the app's schema (collections, taxa, images, models and their vectors,
queries and their revisions, candidates, judgments and their full trail, audits, rerank sets, exports,
users, their accounts with hashed passwords, sessions). What does not: pg-boss's queue (the \`pgboss\`
schema; queued and running jobs are not kept, so re-queue an unfinished import or embedding), files in
the data folder (thumbnails are made again; uploaded import files are not kept) and the auth secret
(the data folder's auth-secret file, or BETTER_AUTH_SECRET). Passwords are hashed in the accounts table,
so everyone signs in as before on the restored database; with another secret, the session cookies of
the old server are not accepted and everyone signs in again. The file holds password hashes and session
tokens: keep it as private as the database.`;

export function registerBackupCommands(program: Command): void {
  // cli/index.ts lists this file under both names; help registers every name, so only once
  if (program.commands.some((c) => c.name() === "backup")) return;
  program
    .command("backup [file]")
    .description("write the whole database, as one consistent snapshot, to one file (a gzip of JSON lines)")
    .option("--out <file>", "the file to write (or give it as the argument); replaced only once the backup is whole")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Taken inside one REPEATABLE READ transaction, so experts may keep judging while it runs (on the embedded
database their writes wait until it is done). Works on the embedded database and on PostgreSQL alike;
the file restores into either.
${SECRET_NOTE}`,
    )
    .action(async (arg: string | undefined, opts: { out?: string; json?: boolean }) => {
      const file = opts.out ?? arg;
      if (!file) throw new Error("name the file to write: fieldmark backup --out <file>");
      if (opts.out && arg && opts.out !== arg) throw new Error("give the file once: as the argument or as --out");
      const { writeBackup } = await import("@/lib/backup/backup");
      await withDatabase(async () => {
        const bars = tableBars("backing up");
        const result = await writeBackup(file, {
          onProgress: (p) => bars.update(p.table, p.table, p.done, p.total),
        });
        bars.end();
        const rows = result.tables.reduce((s, t) => s + t.rows, 0);
        if (opts.json) printJson(result);
        else
          console.log(
            `backed up ${n(rows)} rows of ${result.tables.length} tables to ${result.file} (${n(result.bytes)} bytes) in ${result.seconds.toFixed(1)} s`,
          );
      });
    });

  program
    .command("restore <file>")
    .description("load a backup into an empty database (the embedded one or PostgreSQL, whichever it was taken on)")
    .option("--force", "replace everything in a database that already holds data (in the same transaction)")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Migrates the database, then loads every table in one transaction, rebuilds the vector indexes, reads
every table back and checks it against the file's row counts and SHA-256 checksums, and sets the id
sequences. A damaged, cut or foreign file, or a database that is not empty (without --force), is
refused and nothing is written. Stop \`fieldmark start\` and any workers on the target first.
${SECRET_NOTE}`,
    )
    .action(async (file: string, opts: { force?: boolean; json?: boolean }) => {
      const { restoreBackup } = await import("@/lib/backup/restore");
      await withDatabase(async () => {
        const bars = tableBars("restoring");
        const result = await restoreBackup(file, {
          force: opts.force,
          onProgress: (p) => bars.update(`${p.phase} ${p.table}`, `${p.table} (${p.phase})`, p.done, p.total),
        });
        bars.end();
        const rows = result.tables.reduce((s, t) => s + t.rows, 0);
        if (opts.json) printJson(result);
        else
          console.log(
            `restored ${n(rows)} rows of ${result.tables.length} tables (backup of ${result.createdAt} from ${result.from === "pglite" ? "the embedded database" : "PostgreSQL"}) in ${result.seconds.toFixed(1)} s; every table matches the backup's checksums`,
          );
      });
    });
}
