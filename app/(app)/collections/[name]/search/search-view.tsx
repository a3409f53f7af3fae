"use client";

import { useState, type FormEvent } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { Button, cx, ErrorNote, Field, Input, inputClass } from "@/app/_components/ui";
import { filterToSearchParams } from "@/lib/filters/filter";
import { imagePagePath, thumbnailUrl } from "@/lib/browse/urls";
import { FilterPanel } from "../filter-panel";
import { ImageTile } from "../image-grid";
import { searchPagePath, type SearchMode, type SearchState } from "./search-state";

// The search page: a form that writes the URL, the browse filters (writing the URL too), and the
// results of GET /api/collections/[name]/search for the URL's query string.

type ModelOption = { name: string; kind: string };

const MODES: { mode: SearchMode; label: string; inputLabel: string; placeholder: string }[] = [
  {
    mode: "text",
    label: "Text",
    inputLabel: "Describe the images",
    placeholder: "a swallowtail drinking from wet sand",
  },
  {
    mode: "image",
    label: "Similar image",
    inputLabel: "Image id",
    placeholder: "the id of an image in this collection",
  },
  { mode: "metadata", label: "Taxonomy", inputLabel: "Names", placeholder: "swallowtail, Papilionidae, Aves…" },
];

const K_CHOICES = [12, 24, 48, 100, 200, 500];
const DEFAULT_K = 100; // the API's default

type SearchAnswer = {
  mode: SearchMode;
  strategy: "index" | "exact" | "full-text";
  results: { image_id: string; score: number; thumbnail: string; page: string }[];
};

const STRATEGY_LABEL: Record<SearchAnswer["strategy"], string> = {
  index: "HNSW index",
  exact: "exact scan",
  "full-text": "taxonomy full-text search",
};

async function fetchSearch(collection: string, query: string): Promise<SearchAnswer> {
  const res = await fetch(`/api/collections/${encodeURIComponent(collection)}/search?${query}`);
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error ?? `search failed (${res.status})`);
  return body;
}

type Props = {
  collection: string;
  models: ModelOption[];
  groups: { group: string; taxa: number }[];
  state: SearchState;
  /** the API query for the URL's search, or null when the URL holds none yet */
  apiQuery: string | null;
};

export function SearchView({ collection, models, groups, state, apiQuery }: Props) {
  return (
    <div className="mt-6 grid gap-6 lg:grid-cols-[17rem_1fr]">
      <FilterPanel
        key={filterToSearchParams(state.filter).toString()}
        collection={collection}
        groups={groups}
        filter={state.filter}
        hrefFor={(filter) => searchPagePath(collection, { ...state, filter })}
      />
      <div className="min-w-0 space-y-6">
        <SearchForm key={apiQuery} collection={collection} models={models} state={state} />
        {apiQuery === null ? (
          <p className="text-sm text-stone-600">
            Search by a description, by an image, or by taxon names; the filters on the left apply inside the search.
          </p>
        ) : (
          <SearchResults collection={collection} query={apiQuery} />
        )}
      </div>
    </div>
  );
}

function SearchForm({ collection, models, state }: { collection: string; models: ModelOption[]; state: SearchState }) {
  const router = useRouter();
  const [mode, setMode] = useState(state.mode);
  const [input, setInput] = useState(state.input);
  const [model, setModel] = useState(state.model ?? "");
  const [k, setK] = useState(state.k ?? DEFAULT_K);
  const current = MODES.find((m) => m.mode === mode)!;
  // text needs a text tower; the URL's model stays listed even when it has no vectors here
  const choices = models.filter((m) => mode !== "text" || m.kind === "clip");
  if (state.model && !choices.some((m) => m.name === state.model)) choices.push({ name: state.model, kind: "?" });
  const usesModel = mode !== "metadata";
  const chosenModel = choices.some((m) => m.name === model) ? model : (choices[0]?.name ?? "");

  function switchMode(next: SearchMode) {
    setMode(next);
    setInput(next === state.mode ? state.input : "");
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    router.push(
      searchPagePath(collection, { mode, input, model: usesModel ? chosenModel : undefined, k, filter: state.filter }),
    );
  }

  return (
    <form onSubmit={submit} className="space-y-4 rounded-xl border border-stone-200 bg-white p-4" aria-label="Search">
      <div
        role="radiogroup"
        aria-label="Search by"
        className="inline-flex rounded-md border border-stone-300 p-0.5 text-sm"
      >
        {MODES.map((m) => (
          <button
            key={m.mode}
            type="button"
            role="radio"
            aria-checked={mode === m.mode}
            onClick={() => switchMode(m.mode)}
            className={cx(
              "rounded px-3 py-1",
              mode === m.mode ? "bg-emerald-700 text-white" : "text-stone-700 hover:bg-stone-100",
            )}
          >
            {m.label}
          </button>
        ))}
      </div>
      <div className="flex flex-wrap items-end gap-3">
        <div className="min-w-64 flex-1">
          <Field label={current.inputLabel} htmlFor="search-input">
            <div className="flex items-center gap-2">
              {mode === "image" && state.mode === "image" && input === state.input && input && (
                <Link href={imagePagePath(collection, input)} className="shrink-0" title="The query image">
                  {/* eslint-disable-next-line @next/next/no-img-element -- our own sized thumbnail */}
                  <img
                    src={thumbnailUrl(collection, input)}
                    alt="Query image"
                    width={36}
                    height={36}
                    className="h-9 w-9 rounded object-cover"
                  />
                </Link>
              )}
              <Input
                id="search-input"
                value={input}
                placeholder={current.placeholder}
                autoComplete="off"
                onChange={(e) => setInput(e.target.value)}
              />
            </div>
          </Field>
        </div>
        {usesModel && (
          <div className="w-48">
            <Field label="Model" htmlFor="search-model">
              <select
                id="search-model"
                className={inputClass}
                value={chosenModel}
                onChange={(e) => setModel(e.target.value)}
                disabled={choices.length === 0}
              >
                {choices.length === 0 && <option value="">No model</option>}
                {choices.map((m) => (
                  <option key={m.name} value={m.name}>
                    {m.name}
                  </option>
                ))}
              </select>
            </Field>
          </div>
        )}
        <div className="w-24">
          <Field label="Results" htmlFor="search-k">
            <select id="search-k" className={inputClass} value={k} onChange={(e) => setK(Number(e.target.value))}>
              {[...new Set([...K_CHOICES, k])]
                .sort((a, b) => a - b)
                .map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
            </select>
          </Field>
        </div>
        <Button type="submit" disabled={!input.trim() || (usesModel && !chosenModel)}>
          Search
        </Button>
      </div>
      {usesModel && choices.length === 0 && (
        <p className="text-sm text-stone-600">
          No {mode === "text" ? "text-capable model (CLIP family) " : "model "}has vectors for this collection yet: a
          lead embeds it from the{" "}
          <Link href={`/collections/${encodeURIComponent(collection)}`} className="text-emerald-800 underline">
            collection page
          </Link>
          . Taxonomy search needs no model.
        </p>
      )}
    </form>
  );
}

function SearchResults({ collection, query }: { collection: string; query: string }) {
  const search = useQuery({
    queryKey: ["search", collection, query],
    queryFn: () => fetchSearch(collection, query),
    placeholderData: (previous) => previous, // keep the last results on screen while the next load
    staleTime: 5 * 60_000,
    retry: false, // a 400 or 404 will not change by asking again
  });
  if (search.isError) return <ErrorNote>{search.error.message}</ErrorNote>;
  if (!search.data)
    return (
      <p className="text-sm text-stone-600" role="status">
        Searching…
      </p>
    );
  const { results, strategy } = search.data;
  return (
    <section aria-label="Results" className={cx("transition-opacity", search.isPlaceholderData && "opacity-50")}>
      <p className="mb-3 text-sm text-stone-600">
        <span data-testid="result-count" className="font-medium text-stone-900">
          {results.length}
        </span>{" "}
        {results.length === 1 ? "result" : "results"}, best first · {STRATEGY_LABEL[strategy]}
      </p>
      {results.length === 0 ? (
        <div className="rounded-xl border border-dashed border-stone-300 bg-white p-10 text-center text-sm text-stone-600">
          Nothing found{strategy === "full-text" ? " for these names" : ""} with these filters.
        </div>
      ) : (
        <ul className="grid grid-cols-[repeat(auto-fill,minmax(9.5rem,1fr))] gap-3" data-testid="search-results">
          {results.map((r, i) => (
            <ImageTile
              key={r.image_id}
              collection={collection}
              imageId={r.image_id}
              alt={`Result ${i + 1}: image ${r.image_id}`}
            >
              <p className="mt-1 flex items-baseline justify-between gap-2 text-xs">
                <span className="truncate font-mono text-stone-600" title={r.image_id}>
                  {r.image_id}
                </span>
                <span className="shrink-0 tabular-nums text-stone-900" data-testid="score">
                  {r.score.toFixed(3)}
                </span>
              </p>
            </ImageTile>
          ))}
        </ul>
      )}
    </section>
  );
}
