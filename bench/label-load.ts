// Load generators and table printing for bench/label.
import fs from "node:fs";
import http from "node:http";

export type LoadResult = {
  requests: number;
  errors: number;
  seconds: number;
  latencies: number[];
  firstError?: string;
};

/** Closed loop: `workers` loops, each sending one request at a time until the deadline; all awaited. */
export async function closedLoop(
  workers: number,
  seconds: number,
  request: (worker: number) => Promise<true | string>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const ok = await request(w).catch((e: Error) => e.message);
        latencies.push(performance.now() - t0);
        if (ok !== true) {
          errors += 1;
          firstError ??= ok;
        }
      }
    }),
  );
  return { requests: latencies.length, errors, seconds: (performance.now() - start) / 1000, latencies, firstError };
}

export type TypingResult = LoadResult & { judgments: number; judgmentLatencies: number[] };

/**
 * Experts typing: each of `workers` makes a judgment every 1/rate s, on schedule whatever the server
 * does, and sends them as the grid's outbox does: one request at a time, everything made meanwhile in
 * the next batch. Latency is from the key press (the judgment made) to the server's acknowledgment.
 */
export async function typing(
  workers: number,
  ratePerWorker: number,
  seconds: number,
  send: (worker: number, count: number) => Promise<true | string>,
): Promise<TypingResult> {
  const latencies: number[] = [];
  const judgmentLatencies: number[] = [];
  let errors = 0;
  let judgments = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const end = start + seconds * 1000;
  const interval = 1000 / ratePerWorker;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const made: number[] = []; // times of judgments not yet sent
      let sending: Promise<void> | null = null;
      const flush = async (): Promise<void> => {
        while (made.length) {
          const batch = made.splice(0, 100);
          const t0 = performance.now();
          const ok = await send(w, batch.length).catch((e: Error) => e.message);
          const now = performance.now();
          latencies.push(now - t0);
          if (ok === true) {
            judgments += batch.length;
            for (const t of batch) judgmentLatencies.push(now - t);
          } else {
            errors += 1;
            firstError ??= ok;
          }
        }
        sending = null;
      };
      // spread the workers' clocks over one interval, as people do not type in step
      let next = start + (w / workers) * interval;
      while (next < end) {
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        made.push(next);
        sending ??= flush();
        next += interval;
      }
      while (sending) await sending;
    }),
  );
  return {
    requests: latencies.length,
    errors,
    seconds: (performance.now() - start) / 1000,
    latencies,
    judgments,
    judgmentLatencies,
    firstError,
  };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

export const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "—");

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join("\n");
}

/**
 * CPU seconds (user + system) used so far by each process `pick` selects, from /proc. With the CPU
 * shared, time per request swings with the neighbours; CPU per request does not.
 */
export function cpuSeconds(pick: (p: { pid: number; ppid: number; cmdline: string }) => boolean): Map<number, number> {
  const used = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // after "pid (comm) "
      if (pick({ pid: Number(entry), ppid: Number(fields[1]), cmdline }))
        used.set(Number(entry), (Number(fields[11]) + Number(fields[12])) / 100); // utime + stime, USER_HZ 100
    } catch {
      // the process ended while we looked
    }
  }
  return used;
}

/** CPU seconds used between two readings by the processes alive at the second (new ones count whole). */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, s] of after) total += s - (before.get(pid) ?? 0);
  return total;
}

// The load generator shares the two cores with what it measures: node:http on kept-alive sockets costs
// it about a third of what fetch() does per request, leaving that CPU to the app and the database.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One HTTP request on a kept-alive socket; the answer's status and body as text. */
export function httpRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: opts.method ?? "GET",
        headers: opts.body ? { ...opts.headers, "Content-Length": String(Buffer.byteLength(opts.body)) } : opts.headers,
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}
