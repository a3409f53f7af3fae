"use client";

import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button, ErrorNote, Field, inputClass } from "@/app/_components/ui";
import { isActionError } from "@/lib/actions/result";
import { sendOverlap, type OverlapOutcome } from "./actions";

// The lead's form for blind overlap samples: the queries (one or several), the second expert, the
// share of each query's judged images (10% unless changed). Every unsure image goes too.

type Person = { id: string; name: string };
type QueryChoice = { queryId: string; text: string; judged: number };

export function OverlapForm({
  collection,
  queries,
  experts,
}: {
  collection: string;
  queries: QueryChoice[];
  experts: Person[];
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [assignee, setAssignee] = useState("");
  const [percent, setPercent] = useState("10");
  const [error, setError] = useState<string | null>(null);
  const [outcomes, setOutcomes] = useState<OverlapOutcome[]>([]);

  function toggle(id: string) {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
  }

  function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    setOutcomes([]);
    startTransition(async () => {
      try {
        const result = await sendOverlap({
          collection,
          queryIds: [...chosen],
          assignee,
          sharePercent: Number(percent),
        });
        if (isActionError(result)) setError(result.error);
        else {
          setOutcomes(result.outcomes);
          router.refresh();
        }
      } catch {
        setError("The overlap sample could not be sent: the server failed");
      }
    });
  }

  return (
    <form
      onSubmit={submit}
      className="space-y-3 rounded-xl border border-stone-200 bg-white p-4"
      data-testid="overlap-form"
    >
      <h2 className="text-sm font-semibold text-stone-800">Send a blind overlap sample</h2>
      <fieldset className="max-h-56 overflow-auto rounded-md border border-stone-200 p-2 text-sm">
        <legend className="px-1 text-xs text-stone-500">Queries</legend>
        {queries.length === 0 && <p className="text-stone-500">No query has judged images yet.</p>}
        {queries.map((q) => (
          <label key={q.queryId} className="flex items-baseline gap-2 py-0.5">
            <input
              type="checkbox"
              name="queryIds"
              value={q.queryId}
              checked={chosen.has(q.queryId)}
              onChange={() => toggle(q.queryId)}
            />
            <span className="font-mono text-xs text-stone-500">{q.queryId}</span>
            <span className="truncate">{q.text}</span>
            <span className="ml-auto shrink-0 text-xs text-stone-500">{q.judged} judged</span>
          </label>
        ))}
      </fieldset>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Second expert" htmlFor="overlap-assignee">
          <select
            id="overlap-assignee"
            name="assignee"
            className={inputClass}
            value={assignee}
            onChange={(e) => setAssignee(e.target.value)}
          >
            <option value="">Choose…</option>
            {experts.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Share of judged images (%)" htmlFor="overlap-share" hint="Every unsure image goes as well">
          <input
            id="overlap-share"
            name="sharePercent"
            type="number"
            min={1}
            max={100}
            step="any"
            className={inputClass}
            value={percent}
            onChange={(e) => setPercent(e.target.value)}
          />
        </Field>
      </div>
      <Button type="submit" disabled={pending}>
        Send overlap sample
      </Button>
      {error && <ErrorNote>{error}</ErrorNote>}
      {outcomes.length > 0 && (
        <ul className="text-sm" data-testid="overlap-outcomes">
          {outcomes.map((o) => (
            <li key={o.queryId} className={"error" in o ? "text-red-800" : "text-stone-700"}>
              Query {o.queryId}: {"error" in o ? o.error : `${o.chosen} images in the sample, ${o.added} newly sent`}
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
