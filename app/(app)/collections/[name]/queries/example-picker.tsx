"use client";

import { useId, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Button, ErrorNote, Input } from "@/app/_components/ui";

// Finding example images for a query without knowing their ids: search the collection by text (with a
// CLIP model that has vectors for it) or by taxon name, then pick from the thumbnails. The query's own
// text is the first thing offered, since an example usually looks like what the query says.

export type PickerModel = { name: string; kind: string };
type Result = { image_id: string; score: number; thumbnail: string };

const PAGE = 24;

export function ExamplePicker({
  collection,
  models,
  queryText,
  chosen,
  onPick,
}: {
  collection: string;
  models: PickerModel[];
  queryText: string;
  chosen: string[];
  onPick: (imageId: string) => void;
}) {
  const id = useId();
  const textModel = models.find((m) => m.kind === "clip");
  const [mode, setMode] = useState<"text" | "metadata">(textModel ? "text" : "metadata");
  const [input, setInput] = useState("");
  const [asked, setAsked] = useState<{ mode: "text" | "metadata"; input: string } | null>(null);

  const results = useQuery({
    queryKey: ["example-search", collection, asked],
    enabled: asked !== null,
    staleTime: 60_000,
    queryFn: async () => {
      const params = new URLSearchParams({ k: String(PAGE) });
      if (asked!.mode === "text") {
        params.set("model", textModel!.name);
        params.set("text", asked!.input);
      } else params.set("q", asked!.input);
      const res = await fetch(`/api/collections/${encodeURIComponent(collection)}/search?${params}`);
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(body.error ?? `The search failed (${res.status})`);
      return body.results as Result[];
    },
  });

  const search = (text = input) => {
    const trimmed = text.trim();
    if (!trimmed) return;
    setInput(text);
    setAsked({ mode, input: trimmed });
  };

  return (
    <div className="rounded-lg border border-stone-200 bg-stone-50 p-3" data-testid="example-picker">
      <div className="flex flex-wrap items-center gap-2">
        <select
          aria-label="Find examples by"
          value={mode}
          onChange={(e) => setMode(e.target.value as "text" | "metadata")}
          className="rounded-md border border-stone-300 bg-white px-2 py-1.5 text-sm"
        >
          {textModel && <option value="text">Looks like (text, {textModel.name})</option>}
          <option value="metadata">Taxon name</option>
        </select>
        <Input
          id={`${id}-find`}
          className="min-w-48 flex-1"
          placeholder={mode === "text" ? "Describe the image" : "A species, genus or common name"}
          value={input}
          onChange={(e) => setInput(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              search();
            }
          }}
          aria-label="Find example images"
        />
        <Button type="button" variant="secondary" onClick={() => search()} disabled={!input.trim()}>
          Find
        </Button>
        {mode === "text" && queryText.trim() && (
          <Button type="button" variant="secondary" onClick={() => search(queryText)}>
            Use the query text
          </Button>
        )}
      </div>
      {!textModel && (
        <p className="mt-2 text-xs text-stone-500">
          Search by text needs a CLIP model with vectors for this collection; taxon names work without one.
        </p>
      )}
      {results.isError && (
        <div className="mt-2">
          <ErrorNote>{results.error.message}</ErrorNote>
        </div>
      )}
      {results.isFetching && (
        <p className="mt-2 text-xs text-stone-600" role="status">
          Searching…
        </p>
      )}
      {results.data?.length === 0 && <p className="mt-2 text-xs text-stone-600">Nothing found.</p>}
      {!!results.data?.length && (
        <ul className="mt-3 grid grid-cols-4 gap-2 sm:grid-cols-6" aria-label="Search results">
          {results.data.map((r) => {
            const picked = chosen.includes(r.image_id);
            return (
              <li key={r.image_id}>
                <button
                  type="button"
                  aria-pressed={picked}
                  disabled={picked}
                  onClick={() => onPick(r.image_id)}
                  title={picked ? `${r.image_id} is an example` : `Add ${r.image_id} as an example`}
                  className="group relative block w-full rounded-md focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600 disabled:cursor-default"
                >
                  {/* eslint-disable-next-line @next/next/no-img-element -- our own thumbnail route */}
                  <img
                    src={r.thumbnail}
                    alt={`Image ${r.image_id}`}
                    loading="lazy"
                    className={`aspect-square w-full rounded-md bg-stone-200 object-cover ${picked ? "opacity-50" : "group-hover:opacity-90"}`}
                  />
                  <span className="absolute bottom-1 left-1 rounded bg-white/90 px-1 text-[11px] text-stone-800">
                    {picked ? "✓ added" : "+ add"}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
