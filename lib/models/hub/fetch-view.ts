// What the models page shows of a fetch: one line of words and a share done. Client-safe (no Node).

export type FetchView = {
  state: "queued" | "fetching" | "ready" | "failed";
  phase: string | null;
  file: string | null;
  done: number;
  total: number;
  error: string | null;
  commit: string | null;
};

function mb(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(bytes < 10_000_000 ? 1 : 0)} MB`;
}

export function fetchPercent(f: FetchView): number {
  if (f.state === "ready") return 100;
  return f.total > 0 ? Math.min(100, Math.floor((f.done / f.total) * 100)) : 0;
}

export function describeFetch(f: FetchView): string {
  switch (f.state) {
    case "queued":
      return "queued: waiting for a worker";
    case "ready":
      return `ready${f.commit ? ` (commit ${f.commit.slice(0, 12)})` : ""}`;
    case "failed":
      return `failed: ${f.error ?? "unknown error"}`;
    default:
      if (f.phase === "resolving" || !f.total) return "resolving the revision and listing the files";
      if (f.phase === "registering") return "registering: checking the model runs";
      return `${f.phase ?? "downloading"} ${f.file ?? ""}: ${mb(f.done)} of ${mb(f.total)} (${fetchPercent(f)}%)${f.error ? `, retrying after: ${f.error}` : ""}`;
  }
}

export const isFinished = (f: FetchView) => f.state === "ready" || f.state === "failed";
