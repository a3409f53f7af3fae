"use client";

import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button, ErrorNote, Field, Input, inputClass } from "@/app/_components/ui";
import { isActionError } from "@/lib/actions/result";
import { startRunAction } from "./actions";

// Start a run: a registered model over the finished queries (full-rank), optionally re-ordered by a
// second model (two-stage) or scored over a rerank set version instead.

export function StartRunForm({
  collection,
  models,
  rerankSets,
}: {
  collection: string;
  models: { name: string; kind: string }[];
  rerankSets: number[];
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [model, setModel] = useState(models[0]?.name ?? "");
  const [secondModel, setSecondModel] = useState("");
  const [rerankSet, setRerankSet] = useState("");
  const [k, setK] = useState("50");
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const [started, setStarted] = useState<number | null>(null);

  function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    setStarted(null);
    startTransition(async () => {
      try {
        const result = await startRunAction({ collection, model, secondModel, rerankSet, k });
        if (isActionError(result)) setError({ message: result.error, field: result.field });
        else {
          setStarted(result.runId);
          router.refresh();
        }
      } catch {
        setError({ message: "The run could not be started: the server failed" });
      }
    });
  }

  return (
    <form
      onSubmit={submit}
      className="space-y-3 rounded-xl border border-stone-200 bg-white p-4"
      data-testid="start-run"
    >
      <h2 className="text-sm font-semibold text-stone-800">Start a run</h2>
      <Field
        label="Model"
        htmlFor="run-model"
        hint="A CLIP model ranks by the query's text, an image-only one by its examples"
      >
        <select id="run-model" className={inputClass} value={model} onChange={(e) => setModel(e.target.value)}>
          {models.length === 0 && <option value="">No model has vectors for this collection</option>}
          {models.map((m) => (
            <option key={m.name} value={m.name}>
              {m.name} ({m.kind})
            </option>
          ))}
        </select>
      </Field>
      <Field label="Re-order its top k by" htmlFor="run-second" hint="Two-stage, as INQUIRE evaluates it">
        <select
          id="run-second"
          className={inputClass}
          value={secondModel}
          onChange={(e) => setSecondModel(e.target.value)}
        >
          <option value="">— (one model)</option>
          {models.map((m) => (
            <option key={m.name} value={m.name}>
              {m.name}
            </option>
          ))}
        </select>
      </Field>
      <Field
        label="Rerank set"
        htmlFor="run-rerank"
        hint="Score as a rerank of this version's sets instead of the whole collection"
      >
        <select id="run-rerank" className={inputClass} value={rerankSet} onChange={(e) => setRerankSet(e.target.value)}>
          <option value="">— (full-rank)</option>
          {rerankSets.map((v) => (
            <option key={v} value={String(v)}>
              version {v}
            </option>
          ))}
        </select>
      </Field>
      <Field label="k" htmlFor="run-k">
        <Input id="run-k" inputMode="numeric" value={k} onChange={(e) => setK(e.target.value)} />
      </Field>
      {error && <ErrorNote>{error.message}</ErrorNote>}
      {started !== null && (
        <p role="status" className="text-sm text-emerald-800">
          Run {started} queued.
        </p>
      )}
      <Button type="submit" disabled={pending || !model}>
        {pending ? "Starting…" : "Start the run"}
      </Button>
    </form>
  );
}
