"use client";

import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button, ErrorNote, Field, inputClass } from "@/app/_components/ui";
import { isActionError } from "@/lib/actions/result";
import { pinRerankModel } from "./actions";

// The lead's pin: a registered model with vectors for the collection becomes the next version.

export function PinForm({ collection, models }: { collection: string; models: { name: string; kind: string }[] }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [model, setModel] = useState(models[0]?.name ?? "");
  const [error, setError] = useState<string | null>(null);
  const [pinned, setPinned] = useState<number | null>(null);

  function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    setPinned(null);
    startTransition(async () => {
      try {
        const result = await pinRerankModel({ collection, model });
        if (isActionError(result)) setError(result.error);
        else {
          setPinned(result.version);
          router.refresh();
        }
      } catch {
        setError("The model could not be pinned: the server failed");
      }
    });
  }

  return (
    <form
      onSubmit={submit}
      className="space-y-3 rounded-xl border border-stone-200 bg-white p-4"
      data-testid="pin-form"
    >
      <h2 className="text-sm font-semibold text-stone-800">Pin a model</h2>
      <Field
        label="Model"
        htmlFor="rerank-model"
        hint="A CLIP model ranks by the query's text, an image-only one by its example images; each pin is a new version"
      >
        <select id="rerank-model" className={inputClass} value={model} onChange={(e) => setModel(e.target.value)}>
          {models.length === 0 && <option value="">No model has vectors for this collection</option>}
          {models.map((m) => (
            <option key={m.name} value={m.name}>
              {m.name} ({m.kind})
            </option>
          ))}
        </select>
      </Field>
      {error && <ErrorNote>{error}</ErrorNote>}
      {pinned !== null && (
        <p role="status" className="text-sm text-emerald-800">
          Version {pinned} pinned; its build is queued.
        </p>
      )}
      <Button type="submit" disabled={pending || !model}>
        {pending ? "Pinning…" : "Pin and build"}
      </Button>
    </form>
  );
}
