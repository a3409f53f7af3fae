"use client";

import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button, ErrorNote, Field, Input, inputClass } from "@/app/_components/ui";

// Import a run made elsewhere (a large model re-ranking each query's top 100, say): a CSV of
// query_id,image_id,score with the model's name. It goes to the API route rather than a server action:
// a run file can be far larger than the 1 MB Next allows an action's body.

export function ImportRunForm({ collection, rerankSets }: { collection: string; rerankSets: number[] }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [imported, setImported] = useState<number | null>(null);

  function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    setImported(null);
    const form = new FormData(e.currentTarget);
    startTransition(async () => {
      try {
        const res = await fetch(`/api/collections/${encodeURIComponent(collection)}/runs/import`, {
          method: "POST",
          body: form,
        });
        const body = await res.json().catch(() => null);
        if (!res.ok) setError(body?.error ?? `The server answered ${res.status}`);
        else {
          setImported(body.runId);
          router.refresh();
        }
      } catch {
        setError("The run could not be sent: is the server running?");
      }
    });
  }

  return (
    <form
      onSubmit={submit}
      className="space-y-3 rounded-xl border border-stone-200 bg-white p-4"
      data-testid="import-run"
    >
      <h2 className="text-sm font-semibold text-stone-800">Import a run</h2>
      <Field
        label="Run CSV"
        htmlFor="import-file"
        hint="query_id,image_id,score, with the ids users see; a higher score ranks higher"
      >
        <input id="import-file" name="file" type="file" accept=".csv,text/csv" required className="text-sm" />
      </Field>
      <Field label="Model name" htmlFor="import-name" hint="What made the run, as it should appear beside the others">
        <Input id="import-name" name="name" required maxLength={200} />
      </Field>
      <Field label="Rerank set" htmlFor="import-rerank">
        <select id="import-rerank" name="rerankSet" className={inputClass} defaultValue="">
          <option value="">— (full-rank)</option>
          {rerankSets.map((v) => (
            <option key={v} value={String(v)}>
              version {v}
            </option>
          ))}
        </select>
      </Field>
      <Field label="k" htmlFor="import-k">
        <Input id="import-k" name="k" inputMode="numeric" defaultValue="50" />
      </Field>
      {error && <ErrorNote>{error}</ErrorNote>}
      {imported !== null && (
        <p role="status" className="text-sm text-emerald-800">
          Run {imported} imported and scored.
        </p>
      )}
      <Button type="submit" disabled={pending}>
        {pending ? "Importing…" : "Import and score"}
      </Button>
    </form>
  );
}
