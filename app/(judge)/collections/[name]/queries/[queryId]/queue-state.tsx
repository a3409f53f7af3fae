import { HOLD_MINUTES } from "@/lib/judgments/values";

// Below the grid while it waits for a page: loading, the error it is retrying, or an empty queue.

export function QueueState({
  loading,
  error,
  empty,
  heldElsewhere,
}: {
  loading: boolean;
  error: Error | null;
  empty: boolean;
  heldElsewhere: number;
}) {
  if (!loading) return null;
  if (error)
    return (
      <p className="mt-6 text-sm text-red-700" role="alert">
        {error.message}; trying again.
      </p>
    );
  if (empty) {
    return (
      <div
        className="mt-6 rounded-xl border border-dashed border-stone-300 bg-white p-8 text-center text-sm text-stone-600"
        data-testid="queue-empty"
      >
        No unjudged candidates right now. The worker has been asked for more; this page looks again every few seconds.
        {heldElsewhere > 0 && (
          <p className="mt-2" data-testid="held-elsewhere">
            {heldElsewhere.toLocaleString("en-US")} more {heldElsewhere === 1 ? "is" : "are"} open in another of your
            tabs; they come back here when that tab is closed, or after {HOLD_MINUTES} minutes without it.
          </p>
        )}
      </div>
    );
  }
  return (
    <p className="mt-6 text-sm text-stone-600" role="status">
      Loading candidates…
    </p>
  );
}
