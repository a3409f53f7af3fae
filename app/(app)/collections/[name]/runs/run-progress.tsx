"use client";

import { useEffect, useState } from "react";
import { useRouter } from "next/navigation";

// A queued or running run's progress, polled from the API; the page is drawn again once it settles.

type Progress = {
  status: string;
  phase: string | null;
  done: number | null;
  total: number | null;
  error: string | null;
};

export function RunProgress({ collection, runId, initial }: { collection: string; runId: number; initial: Progress }) {
  const router = useRouter();
  const [p, setP] = useState(initial);
  const busy = p.status === "queued" || p.status === "running";
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(async () => {
      const res = await fetch(`/api/collections/${encodeURIComponent(collection)}/runs/${runId}`).catch(() => null);
      const body = res?.ok ? await res.json().catch(() => null) : null;
      if (!body?.run) return;
      setP(body.run);
      if (body.run.status === "done" || body.run.status === "failed") router.refresh();
    }, 1500);
    return () => clearInterval(timer);
  }, [busy, collection, runId, router]);
  if (p.status === "failed") return <span className="text-red-700">failed: {p.error}</span>;
  if (!busy) return <span>{p.status}</span>;
  const share = p.total ? Math.round(((p.done ?? 0) / p.total) * 100) : 0;
  return (
    <span className="inline-flex items-center gap-2" data-testid="run-progress">
      <span className="h-1.5 w-20 overflow-hidden rounded bg-stone-200">
        <span className="block h-full bg-emerald-600" style={{ width: `${share}%` }} />
      </span>
      {p.status === "queued" ? "queued" : `${p.phase ?? "running"} ${p.done ?? 0}/${p.total ?? "?"}`}
    </span>
  );
}
