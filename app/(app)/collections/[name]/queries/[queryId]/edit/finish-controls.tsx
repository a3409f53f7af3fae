"use client";

import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button, ErrorNote } from "@/app/_components/ui";
import { isActionError } from "@/lib/actions/result";
import type { QueryStatus } from "@/lib/queries/fields";
import { changeQueryStatus } from "./actions";

// A lead's buttons for a query's status: "Finish" when the stopping signals agree it looks complete,
// "Finish anyway" (asked twice) when they do not, "Reopen" once it is finished. The page shows them only
// to those who may (queries.finish); the action and lib/queries/status check again.

export function FinishControls({
  collection,
  queryId,
  status,
  looksComplete,
}: {
  collection: string;
  queryId: string;
  status: QueryStatus;
  looksComplete: boolean;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function run(action: "finish" | "reopen", override = false) {
    setError(null);
    startTransition(async () => {
      try {
        const result = await changeQueryStatus({ collection, queryId, action, override });
        if (isActionError(result)) setError(result.error);
        else {
          setConfirming(false);
          router.refresh();
        }
      } catch {
        // an unexpected server error: Next hides its message; say so here instead of losing the page
        setError(`The query could not be ${action === "finish" ? "finished" : "reopened"}: the server failed`);
      }
    });
  }

  if (status === "frozen") return null;
  return (
    <div className="space-y-2" data-testid="finish-controls">
      <div className="flex flex-wrap gap-2">
        {status === "finished" ? (
          <Button variant="secondary" disabled={pending} onClick={() => run("reopen")}>
            Reopen
          </Button>
        ) : looksComplete ? (
          <Button disabled={pending} onClick={() => run("finish")}>
            Finish
          </Button>
        ) : (
          !confirming && (
            <Button variant="secondary" disabled={pending} onClick={() => setConfirming(true)}>
              Finish anyway
            </Button>
          )
        )}
      </div>
      {confirming && status !== "finished" && (
        <div
          role="alertdialog"
          aria-labelledby="finish-anyway-title"
          className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950"
          data-testid="confirm-finish"
        >
          <p id="finish-anyway-title">
            The stopping signals do not agree that this query is complete. Finish it anyway only if you are sure nothing
            relevant is left to find.
          </p>
          <div className="mt-2 flex gap-2">
            <Button disabled={pending} onClick={() => run("finish", true)}>
              Yes, finish it
            </Button>
            <Button variant="ghost" disabled={pending} onClick={() => setConfirming(false)}>
              Cancel
            </Button>
          </div>
        </div>
      )}
      {error && <ErrorNote>{error}</ErrorNote>}
    </div>
  );
}
