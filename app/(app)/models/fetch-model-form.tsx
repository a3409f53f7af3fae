"use client";

import { useEffect, useState } from "react";
import { useRouter } from "next/navigation";
import { useMutation } from "@tanstack/react-query";
import { Button, ErrorNote, Field, Input, inputClass } from "@/app/_components/ui";
import { describeFetch, fetchPercent, isFinished, type FetchView } from "@/lib/models/hub/fetch-view";

type Queued = { fetchId: number; jobId: string; alreadyQueued: boolean };

async function queueFetch(form: FormData): Promise<Queued> {
  const res = await fetch("/api/models/fetch", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ repo: form.get("repo"), name: form.get("name"), variant: form.get("variant") }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `The server answered ${res.status}`);
  return body;
}

/** Polls one fetch until it is ready or failed. */
function useFetchStatus(jobId: string | null): { status: FetchView | null; error: string | null } {
  const [status, setStatus] = useState<FetchView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!jobId) return;
    let stopped = false;
    const poll = async () => {
      try {
        const res = await fetch(`/api/models/fetch/${encodeURIComponent(jobId)}`);
        const body = await res.json().catch(() => ({}));
        if (!res.ok) throw new Error(body.error ?? `The server answered ${res.status}`);
        if (stopped) return;
        setStatus(body.fetch);
        setError(null);
        if (isFinished(body.fetch)) return;
      } catch (e) {
        if (!stopped) setError((e as Error).message);
      }
      if (!stopped) setTimeout(poll, 1000);
    };
    void poll();
    return () => {
      stopped = true;
    };
  }, [jobId]);
  return { status, error };
}

export function FetchModelForm() {
  const router = useRouter();
  const mutation = useMutation({ mutationFn: queueFetch });
  const { status, error } = useFetchStatus(mutation.data?.jobId ?? null);
  const state = status?.state;
  useEffect(() => {
    if (state === "ready") router.refresh();
  }, [state, router]);
  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        mutation.mutate(new FormData(e.currentTarget));
      }}
    >
      <Field
        label="Hub repository"
        htmlFor="repo"
        hint="owner/name, optionally @revision (a branch, tag or commit): a CLIP-family ONNX export such as Xenova/clip-vit-base-patch32, or an image-only ONNX model. The commit is recorded with the model."
      >
        <Input id="repo" name="repo" required placeholder="Xenova/clip-vit-base-patch32" />
      </Field>
      <Field
        label="Name"
        htmlFor="fetch-name"
        hint="Letters, digits and . _ - @ +; it names the model in searches and exports."
      >
        <Input id="fetch-name" name="name" required placeholder="clip-vit-b32" />
      </Field>
      <Field label="Variant" htmlFor="variant" hint="fp32 as exported; quantized is about a quarter of the size.">
        <select id="variant" name="variant" className={inputClass} defaultValue="fp32">
          <option value="fp32">fp32</option>
          <option value="quantized">quantized</option>
          <option value="fp16">fp16</option>
        </select>
      </Field>
      <Button type="submit" disabled={mutation.isPending || (Boolean(status) && !isFinished(status!))}>
        {mutation.isPending ? "Queuing…" : "Fetch"}
      </Button>
      {status && (
        <div className="space-y-1" data-testid="fetch-progress">
          <div
            role="progressbar"
            aria-label="Fetch progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={fetchPercent(status)}
            className="h-2 overflow-hidden rounded bg-stone-100"
          >
            <div
              className={status.state === "failed" ? "h-full bg-red-600" : "h-full bg-emerald-700"}
              style={{ width: `${fetchPercent(status)}%` }}
            />
          </div>
          <p role="status" className="text-sm break-all whitespace-pre-wrap text-stone-700">
            {describeFetch(status)}
          </p>
        </div>
      )}
      {(mutation.error || error) && <ErrorNote>{mutation.error?.message ?? error}</ErrorNote>}
    </form>
  );
}
