"use client";

import { useCallback, useState } from "react";
import type { AdjudicationWrite } from "@/lib/agreement/adjudication-grid";
import type { CardSync } from "../queries/[queryId]/judging-card";

// Sends the lead's adjudications, one request each, and remembers how each went (by the grid write's
// client id), so a card shows saving, saved or failed. A failed one says why; pressing the key again
// sends it again.

export function useAdjudicationWrites(collection: string) {
  const [states, setStates] = useState<Record<string, CardSync>>({});
  const [error, setError] = useState<string | null>(null);
  const send = useCallback(
    async (clientId: string, write: AdjudicationWrite) => {
      setStates((s) => ({ ...s, [clientId]: "saving" }));
      try {
        const res = await fetch(`/api/collections/${encodeURIComponent(collection)}/adjudications`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(write),
        });
        const body = await res.json().catch(() => ({}));
        if (!res.ok) throw new Error(body.error ?? `saving the adjudication failed (${res.status})`);
        setStates((s) => ({ ...s, [clientId]: "saved" }));
      } catch (e) {
        setError(`${write.imageId}: ${(e as Error).message}`);
        setStates((s) => ({ ...s, [clientId]: "failed" }));
      }
    },
    [collection],
  );
  return { states, error, send };
}
