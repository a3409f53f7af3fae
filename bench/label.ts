// bench/label: the judgment endpoint under 50 concurrent simulated annotators, against PostgreSQL and
// the real web server (bin/web-server.mjs: the built app, one process per core), bounded in time; then,
// in Chromium, keypress-to-next-image-focused and a page of 60 thumbnails drawn, from the grid's own
// performance marks.
//
//   FIELDMARK_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:54329/postgres npx tsx bench/label.ts [--seconds 20] [--annotators 50] [--rate 10] [--no-browser]
//
// Two runs of the judgment endpoint, each by 50 signed-in annotators:
//   capacity: each sends one judgment per request, back to back (the heaviest way to use it, without
//     the batching the grid does), 2% of them resent with the same clientId as after a lost answer;
//   typing:   each makes --rate judgments a second on schedule (50 x 10 = 500/s) and sends them the way
//     the grid's outbox does (one request at a time, what piled up meanwhile in the next); latency is
//     from the judgment made to it acknowledged.
// Then every acknowledged write is looked up: in judgment_events exactly once, and the judgment row
// holds its value. GET /api/health and an authenticated GET /api/collections run with the same
// concurrency as baselines: the CPU is shared with whatever else runs here, and ratios travel better.

import crypto from "node:crypto";
import os from "node:os";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { createQuery, type QueryRecord } from "@/lib/queries/queries";
import { EXPERT, startTestApp, type TestApp } from "../tests/helpers/app";
import { addCandidates, addImages } from "../tests/helpers/judging";
import { postgresAdminUrl } from "../tests/helpers/services";
import { browserTimings } from "./label-browser";
import {
  closedLoop,
  cpuBetween,
  cpuSeconds,
  httpRequest,
  ms,
  percentile,
  table,
  typing,
  type LoadResult,
} from "./label-load";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg("seconds", 20);
const ANNOTATORS = arg("annotators", 50);
const RATE = arg("rate", 10);
const IMAGES = 6000;
const RETRY_SHARE = 0.02;
const VALUES = ["relevant", "not_relevant", "not_relevant", "not_relevant", "unsure"] as const;

if (!postgresAdminUrl) {
  console.error(
    "Set FIELDMARK_TEST_POSTGRES_URL to a PostgreSQL admin URL (e.g. postgresql://postgres@127.0.0.1:54329/postgres).",
  );
  process.exit(2);
}

type Annotator = {
  id: string;
  cookie: string;
  order: string[];
  next: number;
  sent: { clientId: string; body: string }[];
};
type Ack = { annotator: string; imageId: string; value: string };

async function signInCookie(app: TestApp, email: string, password: string, n: number): Promise<string> {
  // better-auth checks a sign-in's Origin against the origin it sees the app at (localhost here), and
  // limits sign-ins per client address: each simulated annotator comes from its own address.
  const res = await fetch(`${app.url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Origin: `http://localhost:${new URL(app.url).port}`,
      "X-Forwarded-For": `10.0.${n >> 8}.${n & 255}`,
    },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`sign-in as ${email} failed: ${res.status} ${await res.text()}`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Every acknowledged write in judgment_events exactly once, as sent, and the rows holding the last value. */
async function verify(queryRowId: number, acked: Map<string, Ack>) {
  const events = await db().query<{
    client_id: string;
    annotator_id: string;
    source_id: string;
    value: string;
    n: number;
  }>(
    `SELECT e.client_id, e.annotator_id, i.source_id, e.value, count(*) OVER (PARTITION BY e.annotator_id, e.client_id)::int AS n
       FROM judgment_events e JOIN images i ON i.id = e.image_id WHERE e.query_id = $1`,
    [queryRowId],
  );
  const byId = new Map(events.rows.map((e) => [e.client_id, e]));
  let lost = 0,
    doubled = 0,
    wrong = 0;
  for (const [clientId, a] of acked) {
    const e = byId.get(clientId);
    if (!e) lost += 1;
    else if (e.n !== 1) doubled += 1;
    else if (e.annotator_id !== a.annotator || e.source_id !== a.imageId || e.value !== a.value) wrong += 1;
  }
  const rows = await db().query<{ annotator_id: string; source_id: string; value: string }>(
    "SELECT j.annotator_id, i.source_id, j.value FROM judgments j JOIN images i ON i.id = j.image_id WHERE j.query_id = $1",
    [queryRowId],
  );
  const last = new Map<string, string>();
  for (const a of acked.values()) last.set(`${a.annotator}|${a.imageId}`, a.value);
  const mismatched = rows.rows.filter((r) => last.get(`${r.annotator_id}|${r.source_id}`) !== r.value).length;
  return {
    acked: acked.size,
    events: events.rows.length,
    lost,
    doubled,
    wrong,
    rows: rows.rows.length,
    pairs: last.size,
    mismatched,
  };
}

// the simulated annotators all connect from 127.0.0.1 and say who they are in X-Forwarded-For, as
// clients behind a proxy do: trust that proxy, so each one is its own client to the sign-in limit
process.env.FIELDMARK_TRUSTED_PROXIES = "127.0.0.1";
const app = await startTestApp();
try {
  const collection = app.collection!;
  console.log(
    `app at ${app.url} on ${app.database.kind}; ${ANNOTATORS} annotators, ${SECONDS} s per run, ${IMAGES} candidate images`,
  );
  const images = await addImages(collection, IMAGES, { prefix: "bench" });
  const queries: QueryRecord[] = [];
  for (const id of ["capacity", "typing"]) {
    const q = await createQuery(collection.id, { text: `bench: ${id}` }, null, { sourceId: id });
    await addCandidates(collection.id, q.rowId, images, { source: "text-image:bench" });
    queries.push(q);
  }
  const annotators: Annotator[] = [];
  for (let a = 0; a < ANNOTATORS; a++) {
    const email = `annotator-${a}@example.org`;
    const user = await createUser({ email, name: `Annotator ${a}`, password: "annotator-password", role: "expert" });
    annotators.push({
      id: user.id,
      cookie: await signInCookie(app, email, "annotator-password", a + 1),
      order: shuffled(images, a + 1),
      next: 0,
      sent: [],
    });
  }

  // CPU used by the app's server process and by the PostgreSQL backends of its database, per run
  const dbName = new URL(app.database.url).pathname.slice(1);
  // every process of bin/web-server.mjs: the cluster's primary and its web processes
  const serverCpu = () => cpuSeconds((p) => p.cmdline.includes("bin/web-server.mjs"));
  const databaseCpu = () => cpuSeconds((p) => p.cmdline.startsWith(`postgres: postgres ${dbName} `));
  async function measured<T extends LoadResult>(
    run: () => Promise<T>,
  ): Promise<T & { cpu: { server: number; database: number; load: number } }> {
    const s0 = serverCpu();
    const d0 = databaseCpu();
    const l0 = process.cpuUsage();
    const result = await run();
    const l = process.cpuUsage(l0);
    return {
      ...result,
      cpu: {
        server: cpuBetween(s0, serverCpu()),
        database: cpuBetween(d0, databaseCpu()),
        load: (l.user + l.system) / 1e6,
      },
    };
  }

  const ok = (r: { status: number }) => r.status === 200 || `HTTP ${r.status}`;
  const health = await measured(() =>
    closedLoop(ANNOTATORS, SECONDS / 2, async () => ok(await httpRequest(`${app.url}/api/health`))),
  );
  const authed = await measured(() =>
    closedLoop(ANNOTATORS, SECONDS / 2, async (w) =>
      ok(await httpRequest(`${app.url}/api/collections`, { headers: { Cookie: annotators[w].cookie } })),
    ),
  );

  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const endpoint = (query: string) =>
    `${app.url}/api/collections/${encodeURIComponent(collection.name)}/queries/${query}/judgments`;
  const acked = [new Map<string, Ack>(), new Map<string, Ack>()];
  let resent = 0,
    resentDuplicate = 0;

  /** Posts `count` new judgments of the annotator's next images (or a body sent before); checks each answer. */
  async function post(
    run: 0 | 1,
    w: number,
    count: number,
    again?: { clientId: string; body: string },
  ): Promise<true | string> {
    const me = annotators[w];
    const writes = again
      ? []
      : Array.from({ length: count }, () => {
          const imageId = me.order[me.next++ % me.order.length];
          return {
            clientId: crypto.randomBytes(12).toString("base64url"),
            imageId,
            value: VALUES[(me.next * 31 + w) % VALUES.length],
            source: "text-image:bench",
            timeSpentMs: 800 + (me.next % 900),
          };
        });
    const body = again?.body ?? JSON.stringify({ writes });
    const res = await httpRequest(endpoint(queries[run].id), {
      method: "POST",
      headers: { "Content-Type": "application/json", Cookie: me.cookie },
      body,
    });
    let answer;
    try {
      answer = JSON.parse(res.body);
    } catch {
      answer = null;
    }
    if (res.status !== 200) return `HTTP ${res.status}: ${answer?.error ?? ""}`;
    const results: { clientId: string; status: string; error?: string }[] = answer.results;
    if (again) {
      if (results[0]?.status !== "duplicate") return `a resent write came back ${results[0]?.status}`;
      resentDuplicate += 1;
      return true;
    }
    for (const [i, r] of results.entries()) {
      if (r.clientId !== writes[i].clientId || r.status !== "saved")
        return `write ${r.clientId}: ${r.status} ${r.error ?? ""}`;
      acked[run].set(r.clientId, { annotator: me.id, imageId: writes[i].imageId, value: writes[i].value });
    }
    if (run === 0) me.sent.push({ clientId: writes[0].clientId, body });
    return true;
  }

  const capacity = await measured(() =>
    closedLoop(ANNOTATORS, SECONDS, async (w) => {
      const sent = annotators[w].sent;
      if (sent.length && random() < RETRY_SHARE) {
        resent += 1;
        return post(0, w, 1, sent[Math.floor(random() * sent.length)]);
      }
      return post(0, w, 1);
    }),
  );
  const typed = await measured(() => typing(ANNOTATORS, RATE, SECONDS, (w, count) => post(1, w, count)));
  const checks = [await verify(queries[0].rowId, acked[0]), await verify(queries[1].rowId, acked[1])];

  const row = (
    name: string,
    r: LoadResult & { cpu: { server: number; database: number; load: number } },
    per: number,
    unit: string,
    latencies = r.latencies,
  ) => [
    name,
    r.requests,
    r.errors,
    `${(per / r.seconds).toFixed(0)} ${unit}`,
    ms(percentile(latencies, 50)),
    ms(percentile(latencies, 95)),
    ms(percentile(latencies, 99)),
    ((r.cpu.server * 1000) / per).toFixed(2),
    ((r.cpu.database * 1000) / per).toFixed(2),
    ((r.cpu.load * 1000) / per).toFixed(2),
  ];
  console.log(
    `\nJudgment endpoint, ${ANNOTATORS} annotators at once, PostgreSQL, the app in bin/web-server.mjs (one process per core) (load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores at the end)\n`,
  );
  console.log(
    table(
      [
        "run",
        "requests",
        "errors",
        "throughput",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "app CPU ms each",
        "PostgreSQL CPU ms each",
        "load generator CPU ms each",
      ],
      [
        row("GET /api/health (baseline, no session)", health, health.requests, "req/s"),
        row("GET /api/collections (baseline, session + query)", authed, authed.requests, "req/s"),
        row("capacity: 1 judgment per request, back to back", capacity, capacity.requests, "judgments/s"),
        row(
          `typing: ${RATE}/s each, sent as the grid does (latency per judgment)`,
          typed,
          typed.judgments,
          "judgments/s",
          typed.judgmentLatencies,
        ),
      ],
    ),
  );
  const capacityRate = capacity.requests / capacity.seconds;
  console.log(
    `\ncapacity relative to the baselines: ${(capacityRate / (health.requests / health.seconds)).toFixed(2)}x /api/health, ${(capacityRate / (authed.requests / authed.seconds)).toFixed(2)}x /api/collections; typing sent ${(typed.judgments / Math.max(1, typed.requests)).toFixed(2)} judgments per request`,
  );
  // With the CPU shared, what one judgment costs travels better than how many got through.
  const perJudgment = ((capacity.cpu.server + capacity.cpu.database) * 1000) / capacity.requests;
  console.log(
    `CPU per judgment request (capacity run): ${perJudgment.toFixed(2)} ms (app + PostgreSQL); two otherwise idle cores would serve at most ~${Math.round((os.cpus().length * 1000) / perJudgment)} such requests/s, load generator not counted`,
  );
  for (const [name, r] of [
    ["capacity", capacity],
    ["typing", typed],
  ] as const)
    if (r.firstError) console.log(`${name}: first error: ${r.firstError}`);
  console.log("\nCount check\n");
  console.log(
    table(
      ["check", "capacity", "typing"],
      [
        ["acknowledged judgments", checks[0].acked, checks[1].acked],
        ["resent after a lost answer, answered duplicate", `${resentDuplicate} of ${resent}`, "—"],
        ["acknowledged but not in judgment_events (lost)", checks[0].lost, checks[1].lost],
        ["in judgment_events more than once (doubled)", checks[0].doubled, checks[1].doubled],
        ["recorded with another annotator, image or value", checks[0].wrong, checks[1].wrong],
        [
          "judgment rows / distinct (annotator, image) acknowledged",
          `${checks[0].rows} / ${checks[0].pairs}`,
          `${checks[1].rows} / ${checks[1].pairs}`,
        ],
        ["rows not holding the last acknowledged value", checks[0].mismatched, checks[1].mismatched],
      ],
    ),
  );
  const exact =
    checks.every((c) => c.lost === 0 && c.doubled === 0 && c.wrong === 0 && c.mismatched === 0 && c.rows === c.pairs) &&
    resent === resentDuplicate;
  const typedP95 = percentile(typed.judgmentLatencies, 95);
  const typedRate = typed.judgments / typed.seconds;
  // typing kept up when every judgment made was acknowledged within a second of the run's end
  const keptUp = typed.errors === 0 && typed.seconds < SECONDS + 1;
  console.log(
    `\ntargets: >= 500 judgments/s: capacity ${capacityRate.toFixed(0)} (${capacityRate >= 500 ? "met" : "MISSED"}), typing ${typedRate.toFixed(0)} of ${ANNOTATORS * RATE} offered (${keptUp ? "kept up" : "fell behind"}); ` +
      `p95 < 50 ms: typing ${ms(typedP95)} (${typedP95 < 50 ? "met" : "MISSED"}), capacity ${ms(percentile(capacity.latencies, 95))}; zero lost or doubled: ${exact ? "met" : "MISSED"}`,
  );

  if (!process.argv.includes("--no-browser")) {
    console.log("\nIn the browser (Chromium, 1280x800; the grid's own performance marks)\n");
    const measures = await browserTimings(app, EXPERT);
    console.log(
      table(
        ["measure", "n", "p50 ms", "p95 ms", "max ms"],
        measures.map((m) => [
          m.name,
          m.values.length,
          ms(percentile(m.values, 50)),
          ms(percentile(m.values, 95)),
          ms(Math.max(...m.values)),
        ]),
      ),
    );
  }
  process.exitCode = exact ? 0 : 1;
} finally {
  await app.stop();
}
