"use client";

import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, ErrorNote } from "@/app/_components/ui";

// For leads: how far this collection is embedded with each registered model, and the buttons that queue
// the embedding jobs and the worker's HNSW index builds. Polls while any of those is queued or running.

type ModelEmbeddings = {
  name: string;
  kind: string;
  dim: number;
  progress: { total: number; embedded: number; unreadable: number };
  index: { built: boolean; size_bytes: number; built_at: string | null; build: IndexBuild | null };
};
type IndexBuild = {
  state: "queued" | "building" | "done" | "failed";
  phase: string | null;
  done: number;
  total: number;
  error: string | null;
};
type EmbeddingsState = { models: ModelEmbeddings[]; pending_jobs: number };

async function readJson<T>(res: Response): Promise<T> {
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error ?? `The server answered ${res.status}`);
  return body;
}

const embeddingsUrl = (collection: string) => `/api/collections/${encodeURIComponent(collection)}/embeddings`;

export function EmbeddingPanel({ collection }: { collection: string }) {
  const queryClient = useQueryClient();
  const queryKey = ["embeddings", collection];
  const state = useQuery({
    queryKey,
    queryFn: async () => readJson<EmbeddingsState>(await fetch(embeddingsUrl(collection))),
    refetchInterval: (q) =>
      q.state.data?.pending_jobs || q.state.data?.models.some((m) => building(m.index.build)) ? 1500 : false,
  });
  const act = useMutation({
    mutationFn: async (body: { model: string; action: "embed" | "index" }) =>
      readJson(
        await fetch(embeddingsUrl(collection), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey }),
  });

  return (
    <section aria-label="Embeddings" className="mt-6 rounded-xl border border-stone-200 bg-white p-4">
      <div className="mb-3 flex items-baseline justify-between gap-4">
        <h2 className="text-sm font-semibold text-stone-800">Embeddings</h2>
        {!!state.data?.pending_jobs && (
          <span className="text-xs text-stone-500" role="status">
            {state.data.pending_jobs} embedding jobs queued or running
          </span>
        )}
      </div>
      {state.isError && <ErrorNote>{state.error.message}</ErrorNote>}
      {state.data?.models.length === 0 && (
        <p className="text-sm text-stone-600">
          No model is registered yet:{" "}
          <Link href="/models" className="text-emerald-800 underline">
            register one
          </Link>
          .
        </p>
      )}
      <ul className="divide-y divide-stone-100">
        {state.data?.models.map((m) => {
          const { total, embedded, unreadable } = m.progress;
          const done = embedded >= total;
          const busy = act.isPending && act.variables?.model === m.name;
          const build = m.index.build;
          return (
            <li
              key={m.name}
              className="grid items-center gap-x-4 gap-y-2 py-2 text-sm sm:grid-cols-[12rem_1fr_auto]"
              data-model={m.name}
            >
              <div className="min-w-0">
                <span className="font-medium text-stone-900">{m.name}</span>{" "}
                <span className="text-xs text-stone-500">
                  {m.kind} · {m.dim}-d
                </span>
              </div>
              <div className="min-w-0">
                <div className="h-2 overflow-hidden rounded bg-stone-100" aria-hidden>
                  <div
                    className="h-full bg-emerald-600 transition-[width]"
                    style={{ width: `${total ? (100 * embedded) / total : 0}%` }}
                  />
                </div>
                <p className="mt-1 text-xs text-stone-600">
                  <span data-testid="embedded">
                    {embedded.toLocaleString("en-US")} / {total.toLocaleString("en-US")}
                  </span>{" "}
                  embedded
                  {unreadable > 0 && (
                    <span data-testid="unreadable"> · {unreadable.toLocaleString("en-US")} unreadable</span>
                  )}
                  {" · "}
                  <span data-testid="index-state">
                    {building(build)
                      ? buildText(build!)
                      : m.index.built
                        ? `HNSW index built (${formatBytes(m.index.size_bytes)}, all collections)`
                        : "no HNSW index"}
                  </span>
                </p>
                {build?.state === "failed" && (
                  <p className="mt-1 text-xs text-red-800" role="alert">
                    The last index build failed: {build.error}
                  </p>
                )}
              </div>
              <div className="flex gap-2">
                <Button
                  variant="secondary"
                  disabled={done || busy}
                  onClick={() => act.mutate({ model: m.name, action: "embed" })}
                >
                  {busy && act.variables?.action === "embed" ? "Queueing…" : done ? "Embedded" : "Embed"}
                </Button>
                <Button
                  variant="secondary"
                  disabled={embedded === 0 || busy || !!state.data?.pending_jobs || building(build)}
                  title="Search works without it (an exact scan); with many vectors the index answers much faster"
                  onClick={() => act.mutate({ model: m.name, action: "index" })}
                >
                  {(busy && act.variables?.action === "index") || building(build)
                    ? "Building index…"
                    : m.index.built
                      ? "Rebuild index"
                      : "Build index"}
                </Button>
              </div>
            </li>
          );
        })}
      </ul>
      {act.isError && (
        <div className="mt-2">
          <ErrorNote>{act.error.message}</ErrorNote>
        </div>
      )}
    </section>
  );
}

const building = (b: IndexBuild | null) => b?.state === "queued" || b?.state === "building";

/** "index build queued", "building the HNSW index: loading tuples, 41% (410,000 / 1,000,000)" */
function buildText(b: IndexBuild): string {
  if (b.state === "queued") return "index build queued";
  const phase = b.phase?.replace(/^building index: /, "") ?? "starting";
  const share =
    b.total > 0
      ? `, ${Math.floor((100 * b.done) / b.total)}% (${b.done.toLocaleString("en-US")} / ${b.total.toLocaleString("en-US")})`
      : "";
  return `building the HNSW index: ${phase}${share}`;
}

function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${Math.max(1, Math.round(n / 1024))} kB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(1)} GB`;
}
