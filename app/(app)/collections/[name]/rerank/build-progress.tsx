"use client";

import { useEffect, useRef, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { Button, ErrorNote } from "@/app/_components/ui";
import { isActionError } from "@/lib/actions/result";
import { rebuildRerankVersion } from "./actions";

// One version's build: its state and progress, polled from the API while a job is queued or running
// (the page is drawn again once it settles), and the lead's rebuild and refresh buttons.

type Build = {
  state: "queued" | "building" | "done" | "failed";
  phase: string | null;
  done: number;
  total: number;
  error: string | null;
};
export type SetState = { version: number; build: Build | null };

const busy = (b: Build | null | undefined) => b?.state === "queued" || b?.state === "building";

export function BuildProgress({
  collection,
  version,
  initialSets,
  frozen,
}: {
  collection: string;
  version: number;
  /** every version's build as the page drew it (one query, shared by each version's row) */
  initialSets: SetState[];
  frozen: boolean;
}) {
  const initial = initialSets.find((s) => s.version === version)?.build ?? null;
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [asked, setAsked] = useState(false);
  const sets = useQuery({
    queryKey: ["rerank-sets", collection],
    queryFn: async () => {
      const res = await fetch(`/api/collections/${encodeURIComponent(collection)}/rerank-sets`);
      const body = await res.json().catch(() => null);
      if (!res.ok) throw new Error(body?.error ?? `The server answered ${res.status}`);
      return body as { sets: SetState[] };
    },
    initialData: { sets: initialSets },
    refetchInterval: (q) => (asked || q.state.data?.sets.some((s) => busy(s.build)) ? 1500 : false),
  });
  const build = sets.data?.sets.find((s) => s.version === version)?.build ?? null;
  const wasBusy = useRef(busy(initial));
  useEffect(() => {
    if (busy(build)) wasBusy.current = true;
    else if (wasBusy.current) {
      wasBusy.current = false;
      setAsked(false);
      router.refresh();
    }
  }, [build, router]);

  function run(mode: "build" | "refresh") {
    setError(null);
    startTransition(async () => {
      try {
        const result = await rebuildRerankVersion({ collection, version, mode });
        if (isActionError(result)) setError(result.error);
        else {
          setAsked(true);
          await sets.refetch();
        }
      } catch {
        setError("The build could not be queued: the server failed");
      }
    });
  }

  const percent = build && build.total > 0 ? Math.round((100 * build.done) / build.total) : 0;
  return (
    <div className="space-y-1 text-xs" data-testid={`build-${version}`}>
      {busy(build) ? (
        <div role="status">
          <div className="text-stone-600">
            {build!.state === "queued" ? "queued" : (build!.phase ?? "building")}
            {build!.total > 0 && ` · ${build!.done} of ${build!.total} queries`}
          </div>
          <div className="mt-1 h-1.5 w-40 overflow-hidden rounded bg-stone-200">
            <div className="h-full bg-emerald-600" style={{ width: `${percent}%` }} />
          </div>
        </div>
      ) : build?.state === "failed" ? (
        <ErrorNote>{build.error}</ErrorNote>
      ) : (
        <span className="text-stone-500">{build ? "built" : "no build yet"}</span>
      )}
      {!frozen && !busy(build) && (
        <div className="flex gap-1">
          <Button variant="secondary" className="px-2 py-0.5 text-xs" disabled={pending} onClick={() => run("build")}>
            Rebuild
          </Button>
          <Button variant="secondary" className="px-2 py-0.5 text-xs" disabled={pending} onClick={() => run("refresh")}>
            Refresh statuses
          </Button>
        </div>
      )}
      {error && <ErrorNote>{error}</ErrorNote>}
    </div>
  );
}
