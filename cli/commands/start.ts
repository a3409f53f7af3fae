import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { Command } from "commander";
import { countUsers } from "@/lib/auth/users";
import { readConfig } from "@/lib/config";
import { openDatabase } from "@/lib/db/open";
import { buildIsCurrent } from "../build-freshness";

const ROOT = path.resolve(import.meta.dirname, "../..");
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(cmd, args, { cwd: ROOT, env, stdio: "inherit" });
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

export function registerStartCommand(program: Command): void {
  program
    .command("start")
    .description("start Fieldmark: the app, the background worker and (without DATABASE_URL) the embedded database")
    .option("--dev", "run the app with next dev (hot reload)")
    .action(async (opts: { dev?: boolean }) => {
      const config = readConfig();
      const database = await openDatabase(config);
      const next = path.join(ROOT, "node_modules", ".bin", "next");
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        DATABASE_URL: database.url,
        FIELDMARK_DB_KIND: database.kind,
        FIELDMARK_DATA_DIR: config.dataDir,
        NEXT_TELEMETRY_DISABLED: "1",
        PORT: String(config.port),
      };
      console.log(
        database.kind === "pglite"
          ? `database: embedded PGlite in ${config.dataDir} (served on 127.0.0.1:${new URL(database.url).port})`
          : "database: PostgreSQL from DATABASE_URL",
      );

      if (!opts.dev && !buildIsCurrent()) {
        console.log("building the app (first start, or sources changed)...");
        const code = await exited(run(next, ["build"], env));
        if (code !== 0) {
          await database.close();
          throw new Error(`next build failed with exit code ${code}`);
        }
      }

      const children = [
        opts.dev
          ? run(next, ["dev", "-p", String(config.port)], env)
          : run(process.execPath, [path.join(ROOT, "bin", "web-server.mjs"), "--port", String(config.port)], env),
        run(process.execPath, [path.join(ROOT, "bin", "fieldmark.mjs"), "worker"], env),
      ];
      const url = `http://localhost:${config.port}`;
      console.log(`Fieldmark is starting at ${url} (Ctrl-C stops it)`);
      if ((await countUsers()) === 0) {
        console.log(
          `No accounts yet: create the first admin at ${url}/setup or with \`npx fieldmark users add --role admin\`.`,
        );
      }

      let stopping = false;
      const stopAll = async (reason: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`\nstopping (${reason})...`);
        for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
        const timer = setTimeout(() => children.forEach((c) => c.exitCode === null && c.kill("SIGKILL")), 15_000);
        await Promise.all(children.map(exited));
        clearTimeout(timer);
        await database.close();
        console.log("stopped.");
      };
      process.once("SIGINT", () => void stopAll("Ctrl-C"));
      process.once("SIGTERM", () => void stopAll("SIGTERM"));
      // If the app or the worker dies, stop the rest rather than run half a tool.
      const first = await Promise.race(children.map(async (c, i) => ({ i, code: await exited(c) })));
      if (!stopping) {
        await stopAll(`${first.i === 0 ? "app" : "worker"} exited with code ${first.code}`);
        process.exitCode = first.code || 1;
      } else {
        await Promise.all(children.map(exited));
      }
    });
}
