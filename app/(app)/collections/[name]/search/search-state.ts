import { filterToSearchParams, parseFilterParams, type ImageFilter } from "@/lib/filters/filter";

// The search page's state lives in its URL, in the same parameters GET /api/collections/[name]/search
// takes (text= | image= | q=, model=, k=, and the browse filters), so the page hands its query string to
// the API as it is and the API's messages name what is wrong. Free of server imports.

export type SearchMode = "text" | "image" | "metadata";

/** The URL parameter that carries each mode's input. */
const INPUT_PARAM: Record<SearchMode, string> = { text: "text", image: "image", metadata: "q" };

export type SearchState = {
  mode: SearchMode;
  /** the text, the image's source id, or the taxonomy words */
  input: string;
  model?: string;
  k?: number;
  filter: ImageFilter;
};

type RawParams = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** What the page's form shows; checking the values is the API's job. */
export function readSearchState(params: RawParams): SearchState {
  const mode = (Object.keys(INPUT_PARAM) as SearchMode[]).find((m) => first(params[INPUT_PARAM[m]])?.trim()) ?? "text";
  const parsed = parseFilterParams(params);
  const k = Number(first(params.k));
  return {
    mode,
    input: first(params[INPUT_PARAM[mode]]) ?? "",
    model: first(params.model) || undefined,
    k: Number.isInteger(k) && k > 0 ? k : undefined,
    filter: parsed.ok ? parsed.filter : {},
  };
}

export function searchPagePath(collection: string, state: Partial<SearchState>): string {
  const p = new URLSearchParams();
  const mode = state.mode ?? "text";
  if (state.model && mode !== "metadata") p.set("model", state.model);
  if (state.input?.trim()) p.set(INPUT_PARAM[mode], state.input.trim());
  if (state.k) p.set("k", String(state.k));
  for (const [key, value] of filterToSearchParams(state.filter ?? {})) p.set(key, value);
  const qs = p.toString();
  return `/collections/${encodeURIComponent(collection)}/search${qs ? `?${qs}` : ""}`;
}

/** The page's own query string, for the API: first values only, as the page reads them. */
export function apiQueryString(params: RawParams): string {
  const p = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    const v = first(value);
    if (v !== undefined) p.set(key, v);
  }
  return p.toString();
}
