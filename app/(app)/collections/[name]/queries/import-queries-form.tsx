"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { useMutation } from "@tanstack/react-query";
import { Button, ErrorNote, Field, Input, inputClass } from "@/app/_components/ui";
import type { ActionError } from "@/lib/actions/result";
import type { QueryImportResult } from "@/lib/queries/inquire-csv";

/** The route's `{ error, field? }`, as the forms' server actions answer it, thrown for useMutation. */
class ImportError extends Error {
  constructor(readonly answer: ActionError) {
    super(answer.error);
  }
}

async function importCsv(collection: string, form: FormData): Promise<QueryImportResult> {
  const res = await fetch(`/api/collections/${encodeURIComponent(collection)}/queries/import`, {
    method: "POST",
    body: form,
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new ImportError({ error: body.error ?? `The server answered ${res.status}`, field: body.field });
  return body;
}

/** Upload an INQUIRE query CSV (leads and admins); the list below refreshes when it is in. */
export function ImportQueriesForm({ collection }: { collection: string }) {
  const router = useRouter();
  const [done, setDone] = useState<QueryImportResult | null>(null);
  const mutation = useMutation({
    mutationFn: (form: FormData) => importCsv(collection, form),
    onSuccess: (result) => {
      setDone(result);
      router.refresh();
    },
  });
  const failed = mutation.error instanceof ImportError ? mutation.error.answer : null;
  // the error beside the field it names (the file, the split); any other under the form
  const fieldError = (name: string) => (failed?.field === name ? <ErrorNote>{failed.error}</ErrorNote> : null);
  return (
    <details className="mb-6 rounded-xl border border-stone-200 bg-white" open={false}>
      <summary className="cursor-pointer px-4 py-3 text-sm font-medium text-stone-800">
        Import INQUIRE query CSV
      </summary>
      <form
        className="grid gap-4 border-t border-stone-100 p-4 sm:grid-cols-[1fr_10rem_auto] sm:items-end"
        onSubmit={(e) => {
          e.preventDefault();
          setDone(null);
          mutation.mutate(new FormData(e.currentTarget));
        }}
      >
        <Field
          label="CSV file"
          htmlFor="queries-file"
          hint="query_id, query_text, supercategory, category, iconic_group (pandas' index column first is fine)"
        >
          <Input id="queries-file" name="file" type="file" accept=".csv,text/csv" required />
          {fieldError("file")}
        </Field>
        <Field label="Split" htmlFor="queries-split">
          <select id="queries-split" name="split" defaultValue="" className={inputClass}>
            <option value="">keep / none</option>
            <option value="val">val</option>
            <option value="test">test</option>
          </select>
          {fieldError("split")}
        </Field>
        <Button type="submit" disabled={mutation.isPending}>
          {mutation.isPending ? "Importing…" : "Import"}
        </Button>
        <div className="sm:col-span-3" aria-live="polite">
          {mutation.error && failed?.field !== "file" && failed?.field !== "split" && (
            <ErrorNote>{mutation.error.message}</ErrorNote>
          )}
          {done && (
            <p role="status" className="text-sm text-emerald-800">
              {done.total} queries read: {done.created} new, {done.updated} updated, {done.unchanged} unchanged.
            </p>
          )}
        </div>
      </form>
    </details>
  );
}
