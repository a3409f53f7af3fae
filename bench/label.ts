// bench/label: the judgment endpoint under 50 concurrent simulated annotators, against PostgreSQL and
// a real `next start`, bounded in time; then, in Chromium, keypress-to-next-image-focused and a page of
// 60 thumbnails drawn, from the grid's own performance marks.
//
//   FIELDMARK_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:54329/postgres npx tsx bench/label.ts [--seconds 20] [--annotators 50] [--no-browser]
//
// Each simulated annotator signs in, then loops: POST one judgment (a fresh clientId, the next image in
// its own shuffled order), wait for the answer, repeat, as the grid's outbox does while an expert types.
// 2% of requests resend an earlier write (a lost answer, retried), which must come back "duplicate".
// Afterwards every acknowledged write is looked up: in judgment_events exactly once, and the judgment
// row holds its value. The same run measures GET /api/health and an authenticated GET
// (/api/collections) with the same concurrency as baselines, since the CPU is shared with whatever else
// runs on the machine: the ratio travels better than the absolute numbers.

import crypto from "node:crypto";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { createQuery } from "@/lib/queries/queries";
import { EXPERT, startTestApp, type TestApp } from "../tests/helpers/app";
import { addCandidates, addImages } from "../tests/helpers/judging";
import { postgresAdminUrl } from "../tests/helpers/services";
import { browserTimings } from "./label-browser";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg("seconds", 20);
const ANNOTATORS = arg("annotators", 50);
const IMAGES = 6000;
const RETRY_SHARE = 0.02;
const VALUES = ["relevant", "not_relevant", "not_relevant", "not_relevant", "unsure"] as const;

if (!postgresAdminUrl) {
  console.error("Set FIELDMARK_TEST_POSTGRES_URL to a PostgreSQL admin URL (e.g. postgresql://postgres@127.0.0.1:54329/postgres).");
  process.exit(2);
}

type LoadResult = { requests: number; errors: number; seconds: number; latencies: number[]; firstError?: string };

/** `workers` loops, each sending one request at a time until the deadline; every request is awaited. */
async function runLoad(workers: number, seconds: number, request: (worker: number) => Promise<boolean | string>): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    while (performance.now() < end) {
      const t0 = performance.now();
      let ok: boolean | string;
      try {
        ok = await request(w);
      } catch (e) {
        ok = (e as Error).message;
      }
      latencies.push(performance.now() - t0);
      if (ok !== true) {
        errors += 1;
        firstError ??= typeof ok === "string" ? ok : "request failed";
      }
    }
  }));
  return { requests: latencies.length, errors, seconds: (performance.now() - start) / 1000, latencies, firstError };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  return [line(cells[0]), `|${widths.map((w, i) => (i === 0 ? ":" : "") + "-".repeat(w + 1) + (i === 0 ? "" : ":")).join("|")}|`, ...cells.slice(1).map(line)].join("\n");
}

function loadRow(name: string, r: LoadResult, unit: string): (string | number)[] {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  return [name, r.requests, r.errors, (r.requests / r.seconds).toFixed(0) + ` ${unit}`, percentile(sorted, 50).toFixed(1), percentile(sorted, 95).toFixed(1), percentile(sorted, 99).toFixed(1)];
}

async function signInCookie(app: TestApp, email: string, password: string, n: number): Promise<string> {
  // better-auth checks the Origin of a sign-in against the origin it sees the app at (localhost here),
  // and limits sign-ins per client address: each simulated annotator comes from its own address.
  const port = new URL(app.url).port;
  let last = "";
  for (const origin of [`http://localhost:${port}`, app.url]) {
    const res = await fetch(`${app.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: origin, "X-Forwarded-For": `10.0.${n >> 8}.${n & 255}` },
      body: JSON.stringify({ email, password }),
    });
    if (res.ok) return res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    last = `${res.status} ${await res.text()}`;
  }
  throw new Error(`sign-in as ${email} failed: ${last}\n${app.output().slice(-2000)}`);
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

const app = await startTestApp();
try {
  const collection = app.collection!;
  console.log(`app at ${app.url} on ${app.database.kind}; ${ANNOTATORS} annotators, ${SECONDS} s per run, ${IMAGES} candidate images`);
  const images = await addImages(collection, IMAGES, { prefix: "bench" });
  const query = await createQuery(collection.id, { text: "bench: eagles with fish" }, null, { sourceId: "bench" });
  await addCandidates(collection.id, query.rowId, images, { source: "text-image:bench" });

  const annotators: { id: string; cookie: string; order: string[]; next: number }[] = [];
  for (let a = 0; a < ANNOTATORS; a++) {
    const email = `annotator-${a}@example.org`;
    const user = await createUser({ email, name: `Annotator ${a}`, password: "annotator-password", role: "expert" });
    annotators.push({ id: user.id, cookie: await signInCookie(app, email, "annotator-password", a + 1), order: shuffled(images, a + 1), next: 0 });
  }

  // ---- baselines, same concurrency
  const health = await runLoad(ANNOTATORS, SECONDS / 2, async () => (await fetch(`${app.url}/api/health`).then((r) => r.arrayBuffer().then(() => r.ok))));
  const authed = await runLoad(ANNOTATORS, SECONDS / 2, async (w) =>
    fetch(`${app.url}/api/collections`, { headers: { Cookie: annotators[w].cookie } }).then((r) => r.arrayBuffer().then(() => r.ok)));

  // ---- judgments
  const endpoint = `${app.url}/api/collections/${encodeURIComponent(collection.name)}/queries/bench/judgments`;
  type Ack = { annotator: string; imageId: string; value: string };
  const acked = new Map<string, Ack>();
  const sent = annotators.map(() => [] as { clientId: string; body: string }[]);
  let duplicatesExpected = 0;
  let duplicatesSeen = 0;
  let rejected = 0;
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const judgments = await runLoad(ANNOTATORS, SECONDS, async (w) => {
    const me = annotators[w];
    if (sent[w].length > 0 && random() < RETRY_SHARE) {
      // a write whose answer was "lost": the outbox sends it again, with the same clientId
      const old = sent[w][Math.floor(random() * sent[w].length)];
      duplicatesExpected += 1;
      return send(me.cookie, old.body, old.clientId, true);
    }
    const imageId = me.order[me.next++ % me.order.length];
    const value = VALUES[(me.next * 31 + w) % VALUES.length];
    const clientId = crypto.randomBytes(12).toString("base64url");
    const body = JSON.stringify({ writes: [{ clientId, imageId, value, source: "text-image:bench", timeSpentMs: 800 + (me.next % 900) }] });
    const ok = await send(me.cookie, body, clientId, false);
    if (ok === true) {
      acked.set(clientId, { annotator: me.id, imageId, value });
      sent[w].push({ clientId, body });
    }
    return ok;
  });

  async function send(cookie: string, body: string, clientId: string, isRetry: boolean): Promise<boolean | string> {
    const res = await fetch(endpoint, { method: "POST", headers: { "Content-Type": "application/json", Cookie: cookie }, body });
    const answer = await res.json().catch(() => null);
    if (!res.ok) return `HTTP ${res.status}: ${answer?.error ?? ""}`;
    const r = answer.results?.[0];
    if (r?.clientId !== clientId) return "answer for another write";
    if (r.status === "rejected") { rejected += 1; return `rejected: ${r.error}`; }
    if (isRetry) {
      if (r.status !== "duplicate") return `a resent write came back ${r.status}`;
      duplicatesSeen += 1;
    }
    return true;
  }

  // ---- count check: every acknowledged write is in the database exactly once, with its value
  const events = await db().query<{ client_id: string; annotator_id: string; source_id: string; value: string; n: number }>(
    `SELECT e.client_id, e.annotator_id, i.source_id, e.value, count(*) OVER (PARTITION BY e.annotator_id, e.client_id)::int AS n
       FROM judgment_events e JOIN images i ON i.id = e.image_id WHERE e.query_id = $1`,
    [query.rowId],
  );
  const eventById = new Map(events.rows.map((e) => [e.client_id, e]));
  let lost = 0;
  let doubled = 0;
  let wrong = 0;
  for (const [clientId, a] of acked) {
    const e = eventById.get(clientId);
    if (!e) lost += 1;
    else if (e.n !== 1) doubled += 1;
    else if (e.annotator_id !== a.annotator || e.source_id !== a.imageId || e.value !== a.value) wrong += 1;
  }
  const rows = await db().query<{ n: number; pairs: number }>(
    "SELECT count(*)::int AS n, count(DISTINCT (image_id, annotator_id))::int AS pairs FROM judgments WHERE query_id = $1", [query.rowId],
  );
  const finalValues = await db().query<{ annotator_id: string; source_id: string; value: string }>(
    "SELECT j.annotator_id, i.source_id, j.value FROM judgments j JOIN images i ON i.id = j.image_id WHERE j.query_id = $1", [query.rowId],
  );
  // an annotator may come round to an image again (a change): the row holds the last value acknowledged
  const lastAcked = new Map<string, string>();
  for (const a of acked.values()) lastAcked.set(`${a.annotator}|${a.imageId}`, a.value);
  const rowMismatch = finalValues.rows.filter((r) => lastAcked.get(`${r.annotator_id}|${r.source_id}`) !== r.value).length;

  console.log("\nJudgment endpoint, one judgment per request, against PostgreSQL (next start, one process)\n");
  console.log(table(["run", "requests", "errors", "throughput", "p50 ms", "p95 ms", "p99 ms"], [
    loadRow("GET /api/health (baseline)", health, "req/s"),
    loadRow("GET /api/collections (baseline: session check + query)", authed, "req/s"),
    loadRow("POST judgments (1 per request)", judgments, "judgments/s"),
  ]));
  const jps = judgments.requests / judgments.seconds;
  console.log(`\njudgments/s relative to the baselines: ${(jps / (health.requests / health.seconds)).toFixed(2)}x /api/health, ${(jps / (authed.requests / authed.seconds)).toFixed(2)}x /api/collections`);
  if (judgments.firstError) console.log(`first error: ${judgments.firstError}`);
  console.log("\nCount check\n");
  console.log(table(["check", "value"], [
    ["acknowledged new judgments", acked.size],
    ["resent writes (lost answers) answered duplicate", `${duplicatesSeen} of ${duplicatesExpected}`],
    ["rejected", rejected],
    ["acknowledged but missing from judgment_events (lost)", lost],
    ["recorded more than once (doubled)", doubled],
    ["recorded with another annotator, image or value", wrong],
    ["judgment rows / distinct (image, annotator)", `${rows.rows[0].n} / ${rows.rows[0].pairs}`],
    ["judgment rows whose value is not the last acknowledged", rowMismatch],
  ]));
  const pass = lost === 0 && doubled === 0 && wrong === 0 && rowMismatch === 0 && duplicatesSeen === duplicatesExpected && rows.rows[0].n === rows.rows[0].pairs;
  const p95 = percentile([...judgments.latencies].sort((a, b) => a - b), 95);
  console.log(`\ntargets: p95 < 50 ms: ${p95 < 50 ? "met" : "MISSED"} (${p95.toFixed(1)} ms); >= 500 judgments/s: ${jps >= 500 ? "met" : "MISSED"} (${jps.toFixed(0)}); zero lost or doubled: ${pass ? "met" : "MISSED"}`);

  if (!process.argv.includes("--no-browser")) {
    console.log("\nIn the browser (Chromium, 1280x800; the grid's own performance marks)\n");
    const b = await browserTimings(app, EXPERT);
    console.log(table(["measure", "n", "p50 ms", "p95 ms", "max ms"], b.map((m) => [m.name, m.values.length, ...stats(m.values)])));
  }
  process.exitCode = pass ? 0 : 1;
} finally {
  await app.stop();
}

function stats(values: number[]): string[] {
  const sorted = [...values].sort((a, b) => a - b);
  return [percentile(sorted, 50), percentile(sorted, 95), sorted[sorted.length - 1]].map((v) => (Number.isFinite(v) ? v.toFixed(1) : "—"));
}
