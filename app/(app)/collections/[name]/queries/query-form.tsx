"use client";

import { useId, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { TaxonTypeahead } from "@/app/(app)/collections/[name]/taxon-typeahead";
import { Button, ErrorNote, Field, Input, inputClass } from "@/app/_components/ui";
import { thumbnailUrl } from "@/lib/browse/urls";
import {
  INQUIRE_CATEGORIES,
  INQUIRE_ICONIC_GROUPS,
  SPLITS,
  SUPERCATEGORIES,
  type QueryFields,
  type TaxonScopeEntry,
} from "@/lib/queries/fields";
import { judgePath } from "@/lib/queries/urls";
import { isActionError, type ActionError } from "@/lib/actions/result";
import { saveQuery } from "./actions";
import { ExamplePicker, type PickerModel } from "./example-picker";

// The query editor, for a new query and for editing one. The text is sent exactly as typed (INQUIRE
// keeps trailing spaces); every field is checked on the server, which names the one that is wrong.

type Props = {
  collection: string;
  /** null: a new query */
  queryId: string | null;
  revision: number | null;
  initial: QueryFields;
  canSetSplit: boolean;
  /** models with vectors for this collection: the example picker searches with them */
  models: PickerModel[];
};

export function QueryForm({ collection, queryId, revision, initial, canSetSplit, models }: Props) {
  const router = useRouter();
  const id = useId();
  const [fields, setFields] = useState<QueryFields>(initial);
  const [exampleText, setExampleText] = useState("");
  const [error, setError] = useState<ActionError | null>(null);
  const [saved, setSaved] = useState<number | null>(null);
  const [pending, startTransition] = useTransition();
  const set = <K extends keyof QueryFields>(key: K, value: QueryFields[K]) => {
    setFields((f) => ({ ...f, [key]: value }));
    setSaved(null);
  };
  const blankToNull = (v: string) => (v.trim() === "" ? null : v);

  function addScope(t: TaxonScopeEntry) {
    if (!fields.taxonScope.some((s) => s.rank === t.rank && s.name === t.name))
      set("taxonScope", [...fields.taxonScope, t]);
  }
  function addExamples() {
    const ids = exampleText
      .split(/[\n,]/)
      .map((s) => s.trim())
      .filter(Boolean);
    set("examples", [...fields.examples, ...ids.filter((x) => !fields.examples.includes(x))]);
    setExampleText("");
  }

  function submit() {
    setError(null);
    startTransition(async () => {
      const result = await saveQuery({ collection, queryId, expectedRevision: revision, fields });
      if (isActionError(result)) {
        setError(result);
        return;
      }
      if (queryId === null) router.push(judgePath(collection, result.id));
      else {
        setSaved(result.revision);
        router.refresh();
      }
    });
  }

  const fieldError = (name: string) =>
    error?.field?.split(".")[0] === name ? <ErrorNote>{error.error}</ErrorNote> : null;
  return (
    <form
      className="max-w-3xl space-y-5 rounded-xl border border-stone-200 bg-white p-5"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Field label="Query text" htmlFor={`${id}-text`} hint="Kept exactly as written, spaces included.">
        <textarea
          id={`${id}-text`}
          name="text"
          required
          rows={2}
          className={inputClass}
          value={fields.text}
          onChange={(e) => set("text", e.target.value)}
          placeholder="A bald eagle carrying a fish in its talons"
        />
      </Field>
      {fieldError("text")}
      <div className="grid gap-4 sm:grid-cols-3">
        <Field label="Supercategory" htmlFor={`${id}-supercategory`}>
          <select
            id={`${id}-supercategory`}
            name="supercategory"
            className={inputClass}
            value={fields.supercategory ?? ""}
            onChange={(e) => set("supercategory", (e.target.value || null) as QueryFields["supercategory"])}
          >
            <option value="">—</option>
            {SUPERCATEGORIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Category" htmlFor={`${id}-category`} hint="INQUIRE's categories are suggested; any text is fine.">
          <Input
            id={`${id}-category`}
            name="category"
            list={`${id}-categories`}
            value={fields.category ?? ""}
            onChange={(e) => set("category", blankToNull(e.target.value))}
          />
          <datalist id={`${id}-categories`}>
            {INQUIRE_CATEGORIES.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
        </Field>
        <Field label="Iconic group" htmlFor={`${id}-iconic`}>
          <Input
            id={`${id}-iconic`}
            name="iconicGroup"
            list={`${id}-iconic-groups`}
            value={fields.iconicGroup ?? ""}
            onChange={(e) => set("iconicGroup", blankToNull(e.target.value))}
          />
          <datalist id={`${id}-iconic-groups`}>
            {INQUIRE_ICONIC_GROUPS.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
        </Field>
      </div>
      {fieldError("supercategory")}
      {fieldError("category")}
      {fieldError("iconicGroup")}
      <div className="space-y-2">
        <span className="block text-xs font-medium tracking-wide text-stone-600 uppercase">Taxon scope</span>
        <p className="text-xs text-stone-500">
          Candidates come from these taxa (any rank; several make a union). Leave empty for the whole collection.
        </p>
        <ul className="flex flex-wrap gap-2" data-testid="taxon-scope">
          {fields.taxonScope.map((t) => (
            <li
              key={`${t.rank}:${t.name}`}
              className="inline-flex items-center gap-1 rounded-full border border-emerald-200 bg-emerald-50 py-0.5 pr-1 pl-2.5 text-sm text-emerald-900"
            >
              <span className="text-xs text-emerald-700">{t.rank}</span>
              <span className={t.rank === "genus" || t.rank === "species" ? "italic" : ""}>{t.name}</span>
              <button
                type="button"
                aria-label={`Remove ${t.rank} ${t.name} from the scope`}
                className="rounded-full px-1.5 text-emerald-800 hover:bg-emerald-100 focus-visible:outline-2 focus-visible:outline-emerald-600"
                onClick={() =>
                  set(
                    "taxonScope",
                    fields.taxonScope.filter((s) => s !== t),
                  )
                }
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        <div className="max-w-md">
          <TaxonTypeahead collection={collection} onPick={addScope} />
        </div>
        {fieldError("taxonScope")}
      </div>
      <Field label="Notes" htmlFor={`${id}-notes`} hint="What counts as relevant, edge cases, references.">
        <textarea
          id={`${id}-notes`}
          name="notes"
          rows={3}
          className={inputClass}
          value={fields.notes ?? ""}
          onChange={(e) => set("notes", blankToNull(e.target.value))}
        />
      </Field>
      {fieldError("notes")}
      <div className="space-y-2">
        <label htmlFor={`${id}-examples`} className="block text-xs font-medium tracking-wide text-stone-600 uppercase">
          Example images (optional)
        </label>
        <ul className="flex flex-wrap gap-2">
          {fields.examples.map((ex) => (
            <li key={ex} className="relative w-24">
              {/* eslint-disable-next-line @next/next/no-img-element -- our own thumbnail route */}
              <img
                src={thumbnailUrl(collection, ex)}
                alt={`Example ${ex}`}
                className="aspect-square w-24 rounded-md bg-stone-200 object-cover"
              />
              <span className="block truncate font-mono text-[11px] text-stone-600">{ex}</span>
              <button
                type="button"
                aria-label={`Remove example ${ex}`}
                onClick={() =>
                  set(
                    "examples",
                    fields.examples.filter((x) => x !== ex),
                  )
                }
                className="absolute top-1 right-1 rounded bg-white/90 px-1.5 text-xs text-stone-800 hover:bg-white focus-visible:outline-2 focus-visible:outline-emerald-600"
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        <div className="flex max-w-md gap-2">
          <Input
            id={`${id}-examples`}
            placeholder="Image id(s), comma separated"
            value={exampleText}
            onChange={(e) => setExampleText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                addExamples();
              }
            }}
          />
          <Button type="button" variant="secondary" onClick={addExamples} disabled={!exampleText.trim()}>
            Add
          </Button>
        </div>
        <ExamplePicker
          collection={collection}
          models={models}
          queryText={fields.text}
          chosen={fields.examples}
          onPick={(imageId) => set("examples", [...fields.examples, imageId])}
        />
        {fieldError("examples")}
      </div>
      {canSetSplit && (
        <Field label="Split" htmlFor={`${id}-split`}>
          <select
            id={`${id}-split`}
            name="split"
            className={`${inputClass} max-w-40`}
            value={fields.split ?? ""}
            onChange={(e) => set("split", (e.target.value || null) as QueryFields["split"])}
          >
            <option value="">none</option>
            {SPLITS.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
      )}
      {error &&
        !["text", "supercategory", "category", "iconicGroup", "taxonScope", "notes", "examples"].includes(
          error.field?.split(".")[0] ?? "",
        ) && <ErrorNote>{error.error}</ErrorNote>}
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : queryId === null ? "Create query" : "Save changes"}
        </Button>
        {saved !== null && (
          <p role="status" className="text-sm text-emerald-800">
            Saved as revision {saved}.
          </p>
        )}
      </div>
    </form>
  );
}
