"use client";

import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button, ErrorNote, Field, inputClass } from "@/app/_components/ui";
import { isActionError } from "@/lib/actions/result";
import { drawCollectionSplits, moveQuerySplit } from "./actions";

// The lead's split controls: the draw (val share and seed, both shown and changeable) and one query's move.

export function DrawForm({ collection, seed, valPercent }: { collection: string; seed: number; valPercent: number }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [share, setShare] = useState(String(valPercent));
  const [seedText, setSeedText] = useState(String(seed));
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    setDone(null);
    startTransition(async () => {
      try {
        const r = await drawCollectionSplits({ collection, valPercent: Number(share), seed: Number(seedText) });
        if (isActionError(r)) setError(r.error);
        else {
          setDone(`${r.assigned} queries drawn, ${r.kept} kept their split: ${r.val} val, ${r.test} test`);
          router.refresh();
        }
      } catch {
        setError("The splits could not be drawn: the server failed");
      }
    });
  }

  return (
    <form
      onSubmit={submit}
      className="space-y-3 rounded-xl border border-stone-200 bg-white p-4"
      data-testid="draw-form"
    >
      <h2 className="text-sm font-semibold text-stone-800">Draw splits</h2>
      <p className="text-xs text-stone-500">
        Queries without a split are drawn, stratified by supercategory; those with one (imported from INQUIRE, or moved)
        keep it. The same seed draws the same split.
      </p>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Val share (%)" htmlFor="split-val-share">
          <input
            id="split-val-share"
            type="number"
            min={0}
            max={100}
            step="any"
            className={inputClass}
            value={share}
            onChange={(e) => setShare(e.target.value)}
          />
        </Field>
        <Field label="Seed" htmlFor="split-seed">
          <input
            id="split-seed"
            type="number"
            min={0}
            step={1}
            className={inputClass}
            value={seedText}
            onChange={(e) => setSeedText(e.target.value)}
          />
        </Field>
      </div>
      {error && <ErrorNote>{error}</ErrorNote>}
      {done && (
        <p role="status" className="text-sm text-emerald-800">
          {done}
        </p>
      )}
      <Button type="submit" disabled={pending}>
        {pending ? "Drawing…" : "Draw"}
      </Button>
    </form>
  );
}

export function MoveButton({ collection, queryId, to }: { collection: string; queryId: string; to: "val" | "test" }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <Button
        variant="secondary"
        className="px-2 py-0.5 text-xs"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            setError(null);
            try {
              const r = await moveQuerySplit({ collection, queryId, split: to });
              if (isActionError(r)) setError(r.error);
              else router.refresh();
            } catch {
              setError("The move failed on the server");
            }
          })
        }
      >
        Move to {to}
      </Button>
      {error && <span className="text-xs text-red-700">{error}</span>}
    </span>
  );
}
