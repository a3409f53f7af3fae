"use client";

import { useState } from "react";
import Link from "next/link";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Button, ErrorNote, Field, Input } from "@/app/_components/ui";
import type { ImportJobStatus } from "@/lib/jobs/imports";

async function startImport(form: FormData): Promise<string> {
  const res = await fetch("/api/imports", { method: "POST", body: form });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `The server answered ${res.status}`);
  return body.jobId;
}

async function fetchStatus(jobId: string): Promise<ImportJobStatus> {
  const res = await fetch(`/api/imports/${jobId}`);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? `The server answered ${res.status}`);
  return body;
}

function ImportProgress({ jobId }: { jobId: string }) {
  const status = useQuery({
    queryKey: ["import", jobId],
    queryFn: () => fetchStatus(jobId),
    refetchInterval: (q) => (q.state.data && ["done", "failed"].includes(q.state.data.state) ? false : 1000),
  });
  const s = status.data;
  if (status.error) return <ErrorNote>{status.error.message}</ErrorNote>;
  if (!s) return <p className="text-sm text-stone-600">Queued…</p>;
  if (s.state === "failed") return <ErrorNote>Import failed: {s.error}</ErrorNote>;
  if (s.state === "done") {
    return (
      <p
        role="status"
        className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900"
      >
        Imported into{" "}
        <Link className="font-medium underline" href={`/collections/${encodeURIComponent(s.collection)}`}>
          {s.collection}
        </Link>
        . Thumbnails are being made in the background.
      </p>
    );
  }
  return (
    <p role="status" className="text-sm text-stone-700">
      {s.state === "queued" ? "Waiting for the worker…" : `Importing: ${s.progress?.phase ?? "starting"}`}
      {s.progress ? ` · ${s.progress.records.toLocaleString("en-US")} records read` : ""}
    </p>
  );
}

export function ImportForm() {
  const [jobId, setJobId] = useState<string | null>(null);
  const mutation = useMutation({ mutationFn: startImport, onSuccess: setJobId });
  return (
    <div className="max-w-2xl space-y-6">
      <form
        className="space-y-4 rounded-xl border border-stone-200 bg-white p-5"
        onSubmit={(e) => {
          e.preventDefault();
          setJobId(null);
          mutation.mutate(new FormData(e.currentTarget));
        }}
      >
        <Field
          label="Collection"
          htmlFor="collection"
          hint="A new name creates a collection; an existing one adds to it."
        >
          <Input id="collection" name="collection" required placeholder="inat-2024-birds" />
        </Field>
        <Field
          label="Path on the server"
          htmlFor="source"
          hint="A train.json (iNaturalist/COCO style), a CSV manifest, or a folder of images."
        >
          <Input id="source" name="source" placeholder="/data/inat24/train.json" />
        </Field>
        <Field label="…or upload a train.json or CSV" htmlFor="file">
          <Input id="file" name="file" type="file" accept=".json,.csv" />
        </Field>
        <Field
          label="Images root"
          htmlFor="imagesRoot"
          hint="The folder or http(s) base URL that file names are relative to. Defaults to the source's folder."
        >
          <Input
            id="imagesRoot"
            name="imagesRoot"
            placeholder="/data/inat24/images or https://bucket.example.org/inat24/"
          />
        </Field>
        {mutation.error && <ErrorNote>{mutation.error.message}</ErrorNote>}
        <Button type="submit" disabled={mutation.isPending}>
          {mutation.isPending ? "Starting…" : "Import"}
        </Button>
      </form>
      {jobId && <ImportProgress jobId={jobId} />}
    </div>
  );
}
