// bench/load: a bounded load run. 50 simulated experts judge at once for a few minutes against the app
// started as users start it (`fieldmark start`: the built app in bin/web-server.mjs, the worker, and
// without DATABASE_URL the embedded PGlite in the start process), on PostgreSQL and on the embedded
// default. Then every acknowledged judgment is looked up (in the database exactly once, as sent), and
// the app's memory, sampled through the run, is printed as a table.
//
//   FIELDMARK_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:54329/postgres npx tsx bench/load.ts [--seconds 120] [--experts 50] [--rate 4] [--db postgres|pglite|both] [--sample 5]
//
// Each expert has an account of its own, signed in through better-auth from an address of its own, and
// works as the judging grid does: it asks the queue route for a page of 60 candidates (the next page
// fetched before this one runs out), makes --rate judgments a second on schedule, and hands each to the
// browser's own retry queue (lib/judgments/outbox.ts: a new clientId per judgment, batches of up to
// 100, one request at a time, retried with backoff after a failure). 2% of the answers are dropped on
// the way back, as a lost connection does, so the outbox sends those batches again. Half the experts
// judge a query of their own; the other half share five queries, five experts each. Baseline from the
// same run: the same experts asking GET /api/health back to back. PostgreSQL's database gets its default
// durability (synchronous_commit on), whatever the test cluster says.

import crypto from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createUser } from "@/lib/auth/users";
import { closeClients, db } from "@/lib/db/client";
import { findRunningEmbedded, freePort } from "@/lib/db/embedded";
import { httpSender, JudgmentOutbox, memoryOutbox } from "@/lib/judgments/outbox";
import { createQuery } from "@/lib/queries/queries";
import { ensureBuilt } from "../tests/helpers/next-build";
import { addCandidates, addImages } from "../tests/helpers/judging";
import { seedCollection } from "../tests/helpers/seed";
import { closedLoop, httpRequest, ms, percentile, table, typing, type LoadResult } from "./label-load";

const ROOT = path.resolve(import.meta.dirname, "..");
const option = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const SECONDS = Number(option("seconds") ?? 120);
const EXPERTS = Number(option("experts") ?? 50);
const RATE = Number(option("rate") ?? 4);
const SAMPLE_SECONDS = Number(option("sample") ?? 5);
const POSTGRES_URL = process.env.FIELDMARK_BENCH_POSTGRES_URL || process.env.FIELDMARK_TEST_POSTGRES_URL || undefined;
const DB = option("db") ?? (POSTGRES_URL ? "both" : "pglite");
const KINDS = (DB === "both" ? ["postgres", "pglite"] : [DB]) as ("postgres" | "pglite")[];
const IMAGES = 3000; // candidates per query, far more than one expert judges in a run
const PAGE = 60;
const SHARED_QUERIES = 5;
const LOST_ANSWER_SHARE = 0.02;
const VALUES = ["relevant", "not_relevant", "not_relevant", "not_relevant", "unsure"] as const;

if (!KINDS.every((k) => k === "postgres" || k === "pglite") || !(SECONDS > 0) || !(EXPERTS > 0) || !(RATE > 0)) {
  console.error("usage: bench/load.ts [--seconds 120] [--experts 50] [--rate 4] [--db postgres|pglite|both]");
  process.exit(2);
}
if (KINDS.includes("postgres") && !POSTGRES_URL) {
  console.error("Set FIELDMARK_BENCH_POSTGRES_URL (or FIELDMARK_TEST_POSTGRES_URL) to a PostgreSQL admin URL.");
  process.exit(2);
}

// ---- the app, as users start it ----

type Started = {
  child: ChildProcess;
  url: string;
  dataDir: string;
  /** beside the data folder, as a user keeps photos */
  imagesRoot: string;
  output: () => string;
  stop: () => Promise<void>;
};

async function startFieldmark(kind: "postgres" | "pglite", databaseUrl: string | undefined): Promise<Started> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-load-"));
  const dataDir = path.join(root, "data");
  fs.mkdirSync(dataDir);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FIELDMARK_DATA_DIR: dataDir,
    PORT: String(port),
    HOSTNAME: "127.0.0.1",
    NEXT_TELEMETRY_DISABLED: "1",
    // the experts all connect from 127.0.0.1 and name themselves in X-Forwarded-For, as clients
    // behind a proxy do: trust that proxy, so each is its own client to the sign-in limit
    FIELDMARK_TRUSTED_PROXIES: "127.0.0.1",
  };
  delete env.FIELDMARK_DB_KIND;
  delete env.TEST;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  const child = spawn(process.execPath, [path.join(ROOT, "bin/fieldmark.mjs"), "start"], {
    cwd: ROOT,
    env,
    detached: true, // its own process group, so nothing it started outlives the bench
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGINT"); // Ctrl-C, as a person stops it
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    }
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // all gone
    }
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 300_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`fieldmark start exited with ${child.exitCode}:\n${log}`);
      const health = await fetch(`${url}/api/health`).catch(() => null);
      if (health?.ok && (await health.json()).database === kind) break;
      if (Date.now() > deadline) throw new Error(`fieldmark start did not answer within 300 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { child, url, dataDir, imagesRoot: path.join(root, "images"), output: () => log, stop };
}

// ---- memory: VmRSS of every process `fieldmark start` runs ----

type Proc = { pid: number; ppid: number; cmdline: string };

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      out.push({ pid: Number(entry), ppid, cmdline });
    } catch {
      // ended while we looked
    }
  }
  return out;
}

function rssMb(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return kb ? Number(kb[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

type Sample = { t: number; web: number; webLargest: number; webProcesses: number; worker: number; start: number };

/** One reading: the web server's processes (its primary and one per core), the worker, and the start process itself. */
function sample(root: number, t: number): Sample {
  const all = processes();
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all)
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.add(p.pid);
        grew = true;
      }
  }
  const mine = all.filter((p) => tree.has(p.pid));
  const web = mine.filter((p) => p.cmdline.includes("bin/web-server.mjs")).map((p) => rssMb(p.pid));
  const worker = mine.filter((p) => /fieldmark\.mjs worker/.test(p.cmdline)).map((p) => rssMb(p.pid));
  return {
    t,
    web: web.reduce((a, b) => a + b, 0),
    webLargest: Math.max(0, ...web),
    webProcesses: web.length,
    worker: worker.reduce((a, b) => a + b, 0),
    start: rssMb(root),
  };
}

// ---- the experts ----

type Made = { annotator: string; query: string; imageId: string; value: string };

type Expert = {
  n: number;
  id: string;
  cookie: string;
  query: string; // the query's source id
  tab: string;
  upcoming: string[];
  seen: Set<string>;
  refill: Promise<void> | null;
  exhausted: boolean;
  outbox: JudgmentOutbox;
  waiting: Map<string, (outcome: true | string) => void>;
};

type Counters = {
  writeLatencies: number[];
  queueLatencies: number[];
  writeRequests: number;
  queueRequests: number;
  failedRequests: number; // answered other than 200, or no answer at all: retried by the outbox
  firstFailure?: string;
  lostAnswers: number;
  writesInLostAnswers: number;
  duplicatesAnswered: number;
  refused: number;
  firstRefusal?: string;
};

async function signIn(url: string, email: string, password: string, n: number): Promise<string> {
  const res = await fetch(`${url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Origin: url,
      "X-Forwarded-For": `10.1.${n >> 8}.${n & 255}`,
    },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`sign-in as ${email} failed: ${res.status} ${await res.text()}`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

async function runKind(kind: "postgres" | "pglite") {
  let dropDatabase: (() => Promise<void>) | undefined;
  let databaseUrl: string | undefined;
  if (kind === "postgres") {
    const name = `fieldmark_load_${crypto.randomBytes(5).toString("hex")}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    // PostgreSQL's default durability, whatever the test cluster's own setting: each commit waits for its WAL flush
    await admin.query(`ALTER DATABASE ${name} SET synchronous_commit = on`);
    await admin.end();
    const u = new URL(POSTGRES_URL!);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
    dropDatabase = async () => {
      const a = new pg.Client({ connectionString: POSTGRES_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    };
  }
  const app = await startFieldmark(kind, databaseUrl);
  try {
    // this process's clients go to the same database: the embedded one is served by the start process
    process.env.DATABASE_URL = databaseUrl ?? (await findRunningEmbedded(app.dataDir));
    process.env.FIELDMARK_DB_KIND = kind;
    process.env.FIELDMARK_DATA_DIR = app.dataDir; // the auth secret the app made there
    if (!process.env.DATABASE_URL) throw new Error(`no embedded database running in ${app.dataDir}`);

    const collection = await seedCollection(app.imagesRoot);
    const images = await addImages(collection, IMAGES, { prefix: "load" });
    const own = Math.ceil(EXPERTS / 2);
    const queryIds: string[] = [];
    for (let q = 0; q < own + SHARED_QUERIES; q++) {
      const sourceId = q < own ? `own-${q}` : `shared-${q - own}`;
      const record = await createQuery(collection.id, { text: `load: ${sourceId}` }, null, { sourceId });
      await addCandidates(collection.id, record.rowId, images, { source: "text-image:load" });
      queryIds.push(record.id);
    }

    const c: Counters = {
      writeLatencies: [],
      queueLatencies: [],
      writeRequests: 0,
      queueRequests: 0,
      failedRequests: 0,
      lostAnswers: 0,
      writesInLostAnswers: 0,
      duplicatesAnswered: 0,
      refused: 0,
    };
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const made = new Map<string, Made>();
    const acked = new Map<string, Made>();

    const experts: Expert[] = [];
    for (let n = 0; n < EXPERTS; n++) {
      const email = `expert-${n}@example.org`;
      const user = await createUser({ email, name: `Expert ${n}`, password: "expert-password", role: "expert" });
      const cookie = await signIn(app.url, email, "expert-password", n + 1);
      // the browser's fetch, on a kept-alive socket, with the session cookie and the same-origin mark
      const send = httpSender(async (input, init) => {
        const isWrite = String(input).endsWith("/judgments");
        const t0 = performance.now();
        let res: { status: number; body: string };
        try {
          res = await httpRequest(`${app.url}${String(input)}`, {
            method: init?.method ?? "GET",
            headers: { ...(init?.headers as Record<string, string>), Cookie: cookie, "Sec-Fetch-Site": "same-origin" },
            body: init?.body as string | undefined,
          });
        } catch (e) {
          c.failedRequests += 1;
          c.firstFailure ??= (e as Error).message;
          throw e;
        }
        (isWrite ? c.writeLatencies : c.queueLatencies).push(performance.now() - t0);
        if (isWrite) c.writeRequests += 1;
        if (res.status !== 200) {
          c.failedRequests += 1;
          c.firstFailure ??= `HTTP ${res.status}: ${res.body.slice(0, 200)}`;
        } else if (isWrite) {
          const results: { status: string }[] = JSON.parse(res.body).results ?? [];
          c.duplicatesAnswered += results.filter((r) => r.status === "duplicate").length;
          if (random() < LOST_ANSWER_SHARE) {
            // saved, but the answer never arrives: the outbox must send the batch again
            c.lostAnswers += 1;
            c.writesInLostAnswers += results.length;
            throw new TypeError("fetch failed (answer dropped by the bench)");
          }
        }
        return new Response(res.body, { status: res.status, headers: { "Content-Type": "application/json" } });
      });
      const outbox = new JudgmentOutbox(memoryOutbox(), send);
      const expert: Expert = {
        n,
        id: user.id,
        cookie,
        query: n < own ? queryIds[n] : queryIds[own + ((n - own) % SHARED_QUERIES)],
        tab: crypto.randomUUID(),
        upcoming: [],
        seen: new Set(),
        refill: null,
        exhausted: false,
        outbox,
        waiting: new Map(),
      };
      outbox.onAcknowledged((_target, items) => {
        for (const i of items) {
          acked.set(i.clientId, made.get(i.clientId)!);
          expert.waiting.get(i.clientId)?.(true);
          expert.waiting.delete(i.clientId);
        }
      });
      outbox.subscribe(() => {
        const failed = outbox.getSnapshot().items.filter((i) => i.state === "failed");
        if (!failed.length) return;
        for (const i of failed) {
          c.refused += 1;
          c.firstRefusal ??= i.error;
          expert.waiting.get(i.clientId)?.(i.error ?? "refused");
          expert.waiting.delete(i.clientId);
        }
        outbox.discardFailed();
      });
      experts.push(expert);
    }

    /** The next page from the queue route, excluding what the grid holds: on screen and not yet acknowledged. */
    const fetchPage = async (e: Expert) => {
      const pending = e.outbox.getSnapshot().items.map((i) => i.imageId);
      const t0 = performance.now();
      const res = await httpRequest(
        `${app.url}/api/collections/${encodeURIComponent(collection.name)}/queries/${e.query}/queue`,
        {
          method: "POST",
          headers: { "Content-Type": "application/json", Cookie: e.cookie, "Sec-Fetch-Site": "same-origin" },
          body: JSON.stringify({ limit: PAGE, exclude: [...e.upcoming, ...pending], tab: e.tab }),
        },
      ).catch((err: Error) => ({ status: 0, body: err.message }));
      c.queueLatencies.push(performance.now() - t0);
      c.queueRequests += 1;
      if (res.status !== 200) {
        c.failedRequests += 1;
        c.firstFailure ??= `queue: HTTP ${res.status}: ${res.body.slice(0, 200)}`;
        return;
      }
      const page: { candidates: { imageId: string }[] } = JSON.parse(res.body);
      const fresh = page.candidates.map((x) => x.imageId).filter((id) => !e.seen.has(id));
      for (const id of fresh) e.seen.add(id);
      e.upcoming.push(...fresh);
      if (page.candidates.length === 0) e.exhausted = true;
    };
    const nextImage = async (e: Expert): Promise<string | null> => {
      for (let tries = 0; e.upcoming.length === 0 && !e.exhausted && tries < 20; tries++) {
        e.refill ??= fetchPage(e).finally(() => (e.refill = null));
        await e.refill;
        if (e.upcoming.length === 0) await new Promise((r) => setTimeout(r, 250)); // the queue failed: as the grid, wait a little
      }
      // like the grid, ask for the next page while a third of this one is left
      if (e.upcoming.length <= PAGE / 3 && !e.exhausted) e.refill ??= fetchPage(e).finally(() => (e.refill = null));
      return e.upcoming.shift() ?? null;
    };

    // judgments made by key presses; each resolves when the outbox has it acknowledged
    const judge = async (w: number, count: number): Promise<true | string> => {
      const e = experts[w];
      const outcomes: Promise<true | string>[] = [];
      for (let k = 0; k < count; k++) {
        const imageId = await nextImage(e);
        if (!imageId) return "no candidates left";
        const clientId = crypto.randomUUID();
        const value = VALUES[(e.seen.size * 31 + w + k) % VALUES.length];
        made.set(clientId, { annotator: e.id, query: e.query, imageId, value });
        outcomes.push(new Promise((resolve) => e.waiting.set(clientId, resolve)));
        e.outbox.add({
          collection: collection.name,
          queryId: e.query,
          clientId,
          imageId,
          value,
          source: "text-image:load",
          timeSpentMs: 600 + ((w * 97 + k) % 1500),
        });
      }
      const all = await Promise.all(outcomes);
      return all.find((o) => o !== true) ?? true;
    };

    // warm the pages in, as each expert opens the grid
    await Promise.all(experts.map((e) => fetchPage(e)));
    c.queueLatencies.length = 0;
    c.queueRequests = 0;

    // the baseline, on the same machine at the same moment: the same experts asking GET /api/health
    const baseline = await closedLoop(EXPERTS, Math.min(10, SECONDS / 6), async () => {
      const r = await httpRequest(`${app.url}/api/health`);
      return r.status === 200 || `HTTP ${r.status}`;
    });

    const idle = sample(app.child.pid!, 0);
    const samples: Sample[] = [];
    const t0 = performance.now();
    const sampler = setInterval(
      () => samples.push(sample(app.child.pid!, (performance.now() - t0) / 1000)),
      SAMPLE_SECONDS * 1000,
    );
    const run = await typing(EXPERTS, RATE, SECONDS, judge);
    clearInterval(sampler);
    samples.push(sample(app.child.pid!, (performance.now() - t0) / 1000));
    for (const e of experts) e.outbox.stop();

    const check = await verify(acked);
    return { kind, baseline, run, c, made: made.size, acked: acked.size, check, idle, samples };
  } catch (e) {
    console.error(app.output().slice(-4000));
    throw e;
  } finally {
    await closeClients();
    await app.stop();
    await dropDatabase?.();
  }
}

/** Every acknowledged judgment in judgment_events exactly once, as sent; each judgments row holds the last value. */
async function verify(acked: Map<string, Made>) {
  const events = await db().query<{
    client_id: string;
    annotator_id: string;
    image: string;
    value: string;
    n: number;
  }>(
    `SELECT e.client_id, e.annotator_id, i.source_id AS image, e.value,
            count(*) OVER (PARTITION BY e.annotator_id, e.client_id)::int AS n
       FROM judgment_events e JOIN images i ON i.id = e.image_id`,
  );
  const byId = new Map(events.rows.map((e) => [e.client_id, e]));
  let lost = 0,
    doubled = 0,
    wrong = 0;
  for (const [clientId, a] of acked) {
    const e = byId.get(clientId);
    if (!e) lost += 1;
    else if (e.n !== 1) doubled += 1;
    else if (e.annotator_id !== a.annotator || e.image !== a.imageId || e.value !== a.value) wrong += 1;
  }
  const last = new Map<string, string>();
  for (const a of acked.values()) last.set(`${a.annotator}|${a.imageId}`, a.value);
  // each expert judges one query, so (expert, image) names a judgment
  const rows = await db().query<{ annotator_id: string; image: string; value: string }>(
    "SELECT j.annotator_id, i.source_id AS image, j.value FROM judgments j JOIN images i ON i.id = j.image_id",
  );
  const mismatched = rows.rows.filter((r) => last.get(`${r.annotator_id}|${r.image}`) !== r.value).length;
  return { events: events.rows.length, lost, doubled, wrong, rows: rows.rows.length, pairs: last.size, mismatched };
}

const results: Awaited<ReturnType<typeof runKind>>[] = [];
await ensureBuilt(); // once: `fieldmark start` would build again only if a source changed meanwhile
for (const kind of KINDS) {
  console.log(`\n${kind}: ${EXPERTS} experts, ${RATE} judgments/s each, ${SECONDS} s; starting fieldmark start...`);
  results.push(await runKind(kind));
}

const label = (k: string) => (k === "postgres" ? "PostgreSQL" : "embedded PGlite");
console.log(
  `\nLoad: ${EXPERTS} experts at once, ${RATE} judgments/s each offered, ${SECONDS} s, \`fieldmark start\` (web server with ${results[0].samples[0]?.webProcesses ?? "?"} processes incl. its primary), ${os.cpus().length} cores shared with the load generator (load average ${os.loadavg()[0].toFixed(1)} at the end)\n`,
);
const baselineRow = (r: (typeof results)[number], b: LoadResult) => [
  `${label(r.kind)}: baseline, GET /api/health back to back`,
  b.requests,
  (b.requests / b.seconds).toFixed(0),
  "—",
  ms(percentile(b.latencies, 50)),
  ms(percentile(b.latencies, 95)),
  ms(percentile(b.latencies, 99)),
  "—",
  "—",
  "—",
  b.errors,
];
console.log(
  table(
    [
      "run",
      "requests",
      "requests/s",
      "judgments/s acked",
      "p50 ms",
      "p95 ms",
      "p99 ms",
      "write p99 ms",
      "queue p99 ms",
      "key press to ack p50 / p95 / p99 ms",
      "failed requests (retried)",
    ],
    results.flatMap((r) => {
      const requests = r.c.writeRequests + r.c.queueRequests;
      const all = [...r.c.writeLatencies, ...r.c.queueLatencies];
      return [
        baselineRow(r, r.baseline),
        [
          `${label(r.kind)}: ${EXPERTS} experts judging`,
          requests,
          (requests / r.run.seconds).toFixed(0),
          (r.acked / r.run.seconds).toFixed(0),
          ms(percentile(all, 50)),
          ms(percentile(all, 95)),
          ms(percentile(all, 99)),
          ms(percentile(r.c.writeLatencies, 99)),
          ms(percentile(r.c.queueLatencies, 99)),
          [50, 95, 99].map((p) => ms(percentile(r.run.judgmentLatencies, p))).join(" / "),
          r.c.failedRequests,
        ],
      ];
    }),
  ),
);

console.log("\nCount check (every acknowledged judgment in the database exactly once)\n");
console.log(
  table(
    ["check", ...results.map((r) => label(r.kind))],
    [
      ["judgments made / acknowledged", ...results.map((r) => `${r.made} / ${r.acked}`)],
      [
        "answers dropped, their writes resent / answered duplicate",
        ...results.map((r) => `${r.c.lostAnswers}: ${r.c.writesInLostAnswers} / ${r.c.duplicatesAnswered}`),
      ],
      ["refused by the server (kept as failed in the outbox)", ...results.map((r) => r.c.refused)],
      ["acknowledged but not in judgment_events (lost)", ...results.map((r) => r.check.lost)],
      ["in judgment_events more than once (doubled)", ...results.map((r) => r.check.doubled)],
      ["recorded with another expert, image or value", ...results.map((r) => r.check.wrong)],
      [
        "judgment rows / distinct (expert, image) acknowledged",
        ...results.map((r) => `${r.check.rows} / ${r.check.pairs}`),
      ],
      ["rows not holding the last acknowledged value", ...results.map((r) => r.check.mismatched)],
    ],
  ),
);

console.log(`\nMemory (VmRSS, MB; sampled every ${SAMPLE_SECONDS} s through the run)\n`);
const memoryRows: (string | number)[][] = [];
for (const r of results) {
  const run = r.samples;
  const mid = run[Math.floor((run.length - 1) / 2)];
  const first = run[0];
  const end = run[run.length - 1];
  const groups: [string, (s: Sample) => number][] = [
    [`web server, all ${first.webProcesses} processes`, (s) => s.web],
    ["web server, largest process", (s) => s.webLargest],
    ["worker", (s) => s.worker],
    [r.kind === "pglite" ? "`fieldmark start` (holds the embedded PGlite)" : "`fieldmark start`", (s) => s.start],
  ];
  for (const [name, get] of groups)
    memoryRows.push([
      `${label(r.kind)}: ${name}`,
      get(r.idle).toFixed(0),
      `${get(first).toFixed(0)} (${first.t.toFixed(0)} s)`,
      `${get(mid).toFixed(0)} (${mid.t.toFixed(0)} s)`,
      `${get(end).toFixed(0)} (${end.t.toFixed(0)} s)`,
      Math.max(...run.map(get)).toFixed(0),
    ]);
}
console.log(table(["process", "idle before", "start", "middle", "end", "max"], memoryRows));
for (const r of results) {
  console.log(
    `\n${label(r.kind)} web server RSS series (MB): ${r.samples.map((s) => s.web.toFixed(0)).join(" ")}` +
      (r.kind === "pglite"
        ? `\n${label(r.kind)} database (start process) RSS series (MB): ${r.samples.map((s) => s.start.toFixed(0)).join(" ")}`
        : ""),
  );
  if (r.c.firstFailure) console.log(`${label(r.kind)}: first failed request: ${r.c.firstFailure}`);
  if (r.c.firstRefusal) console.log(`${label(r.kind)}: first refusal: ${r.c.firstRefusal}`);
}

const exact = results.every(
  (r) =>
    r.check.lost === 0 &&
    r.check.doubled === 0 &&
    r.check.wrong === 0 &&
    r.check.mismatched === 0 &&
    r.check.rows === r.check.pairs &&
    r.c.refused === 0 &&
    r.c.duplicatesAnswered === r.c.writesInLostAnswers,
);
console.log(`\nzero lost or doubled: ${exact ? "met" : "MISSED"}`);
process.exitCode = exact ? 0 : 1;
