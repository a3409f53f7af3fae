"use client";

import { useEffect, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { Button, ErrorNote, tableFrameClass, tableHeadClass } from "@/app/_components/ui";
import { exportBusy, exportPercent, exportProgressText, type ExportView } from "@/lib/export/progress-view";

// Starting an export, its progress while the worker writes it (polled from the API), and the past
// exports with their archives. The page draws the plan; this draws the jobs.

type ExportItem = ExportView & {
  include_unfinished: boolean;
  pseudonymous: boolean;
  rerank_set: number | null;
  left_out: { query_id: string; reason: string }[];
  files: string[];
  created_by: string | null;
  created_at: string;
  finished_at: string | null;
};

const api = (collection: string) => `/api/collections/${encodeURIComponent(collection)}/exports`;
const when = (d: string | null) => (d ? d.slice(0, 16).replace("T", " ") + " UTC" : "—");

export function ExportPanel({
  collection,
  rerankVersion,
  initialExports,
}: {
  collection: string;
  rerankVersion: number | null;
  initialExports: ExportItem[];
}) {
  const router = useRouter();
  const [includeUnfinished, setIncludeUnfinished] = useState(false);
  const [annotatorNames, setAnnotatorNames] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const exports = useQuery({
    queryKey: ["exports", collection],
    queryFn: async () => {
      const res = await fetch(api(collection));
      const body = await res.json().catch(() => null);
      if (!res.ok) throw new Error(body?.error ?? `The server answered ${res.status}`);
      return body.exports as ExportItem[];
    },
    initialData: initialExports,
    refetchInterval: (q) => (q.state.data?.some(exportBusy) ? 1000 : false),
  });
  const list = exports.data ?? [];
  const running = list.find(exportBusy);
  const wasBusy = useRef(Boolean(running));
  useEffect(() => {
    if (running) wasBusy.current = true;
    else if (wasBusy.current) {
      wasBusy.current = false;
      router.refresh(); // the plan shows the splits and the set frozen now
    }
  }, [running, router]);

  async function start() {
    setError(null);
    setStarting(true);
    try {
      const res = await fetch(api(collection), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ include_unfinished: includeUnfinished, annotator_names: annotatorNames }),
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) setError(body?.error ?? `The export could not be started: the server answered ${res.status}`);
      await exports.refetch();
    } catch {
      setError("The export could not be started: the server did not answer");
    } finally {
      setStarting(false);
    }
  }

  return (
    <>
      <section className="mb-6 rounded-xl border border-stone-200 bg-white p-4">
        <div className="flex flex-wrap items-center gap-4 text-sm">
          <label className="flex items-center gap-1.5">
            <input
              type="checkbox"
              checked={includeUnfinished}
              onChange={(e) => setIncludeUnfinished(e.target.checked)}
            />
            include unfinished queries
          </label>
          <label className="flex items-center gap-1.5">
            <input type="checkbox" checked={annotatorNames} onChange={(e) => setAnnotatorNames(e.target.checked)} />
            annotator names instead of annotator-N
          </label>
          <span className="text-stone-500">
            {rerankVersion ? `rerank set version ${rerankVersion}` : "no rerank set"}
          </span>
          <Button onClick={start} disabled={starting || Boolean(running)} data-testid="start-export">
            Start export
          </Button>
        </div>
        {running && (
          <div role="status" className="mt-3 text-sm" data-testid="export-progress">
            <div className="text-stone-700">
              Export {running.id}: {exportProgressText(running)}
            </div>
            <div className="mt-1 h-1.5 w-64 overflow-hidden rounded bg-stone-200">
              <div className="h-full bg-emerald-600" style={{ width: `${exportPercent(running)}%` }} />
            </div>
          </div>
        )}
        {error && <ErrorNote>{error}</ErrorNote>}
      </section>
      <div className={tableFrameClass}>
        <table className="w-full text-left text-sm" data-testid="exports">
          <thead className={tableHeadClass}>
            <tr>
              <th className="px-3 py-2 font-medium">Export</th>
              <th className="px-3 py-2 font-medium">Started</th>
              <th className="px-3 py-2 font-medium">By</th>
              <th className="px-3 py-2 font-medium">Rerank set</th>
              <th className="px-3 py-2 font-medium">Left out</th>
              <th className="px-3 py-2 font-medium">State</th>
              <th className="px-3 py-2 font-medium">Archive</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-stone-100">
            {list.length === 0 && (
              <tr>
                <td className="px-3 py-1.5" colSpan={7}>
                  No export yet.
                </td>
              </tr>
            )}
            {list.map((e) => (
              <tr key={e.id} data-export={e.id} data-status={e.status}>
                <td className="px-3 py-1.5">
                  {e.id}
                  {e.include_unfinished && " (with unfinished)"}
                </td>
                <td className="px-3 py-1.5">{when(e.created_at)}</td>
                <td className="px-3 py-1.5">{e.created_by ?? "—"}</td>
                <td className="px-3 py-1.5">{e.rerank_set ?? "—"}</td>
                <td className="px-3 py-1.5" title={e.left_out.map((l) => `${l.query_id}: ${l.reason}`).join("\n")}>
                  {e.left_out.length}
                </td>
                <td className="px-3 py-1.5">
                  {e.status === "failed" ? <ErrorNote>{exportProgressText(e)}</ErrorNote> : exportProgressText(e)}
                </td>
                <td className="px-3 py-1.5">
                  {e.status === "done" && (
                    <a
                      className="text-emerald-800 underline hover:text-emerald-950"
                      href={`${api(collection)}/${e.id}/archive`}
                      download
                      data-testid={`download-${e.id}`}
                    >
                      Download .zip
                    </a>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
