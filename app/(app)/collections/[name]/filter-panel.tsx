"use client";

import { useState, type FormEvent, type ReactNode } from "react";
import { useRouter } from "next/navigation";
import { Button, Field, Input, inputClass } from "@/app/_components/ui";
import type { ImageFilter } from "@/lib/filters/filter";
import { collectionPath } from "@/lib/browse/urls";
import { TaxonTypeahead } from "./taxon-typeahead";

// Filters live in the URL (shareable, back-button friendly); this panel only edits the URL.
// Picking a taxon or an iconic group applies at once; dates and the area apply with the button.
// `hrefFor` says which page a filter leads to: the browse grid by default, the search page there.

type Props = {
  collection: string;
  groups: { group: string; taxa: number }[];
  filter: ImageFilter;
  hrefFor?: (filter: ImageFilter) => string;
};

function Labeled({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="grid grid-cols-[2.5rem_1fr] items-center gap-2">
      <span className="text-xs text-stone-500">{label}</span>
      {children}
    </label>
  );
}

const num = (s: string) => (s.trim() === "" ? undefined : Number(s));

export function FilterPanel({ collection, groups, filter, hrefFor = (f) => collectionPath(collection, f) }: Props) {
  const router = useRouter();
  const [from, setFrom] = useState(filter.from ?? "");
  const [to, setTo] = useState(filter.to ?? "");
  const b = filter.bbox;
  const [box, setBox] = useState({
    minLat: b ? String(b.minLat) : "",
    maxLat: b ? String(b.maxLat) : "",
    minLon: b ? String(b.minLon) : "",
    maxLon: b ? String(b.maxLon) : "",
  });
  const [boxError, setBoxError] = useState<string | null>(null);

  const go = (next: ImageFilter) => router.push(hrefFor(next));

  function apply(e: FormEvent) {
    e.preventDefault();
    const values = [box.minLat, box.maxLat, box.minLon, box.maxLon].map(num);
    let bbox: ImageFilter["bbox"];
    if (values.some((v) => v !== undefined)) {
      const [minLat, maxLat, minLon, maxLon] = values;
      if (values.some((v) => v === undefined || Number.isNaN(v))) return setBoxError("Give all four bounds, or none.");
      bbox = { minLat: minLat!, maxLat: maxLat!, minLon: minLon!, maxLon: maxLon! };
    }
    setBoxError(null);
    go({ ...filter, from: from || undefined, to: to || undefined, bbox });
  }

  return (
    <aside className="space-y-5 self-start rounded-xl border border-stone-200 bg-white p-4 lg:sticky lg:top-4">
      <Field label="Taxon" htmlFor="taxon-search">
        {filter.taxon && (
          <div
            className="mb-2 flex items-center justify-between gap-2 rounded-md bg-emerald-50 px-2.5 py-1.5 text-sm"
            data-testid="taxon-filter"
          >
            <span className="truncate">
              {filter.rank && <span className="text-emerald-800/70">{filter.rank} </span>}
              <span className="font-medium text-emerald-900">{filter.taxon}</span>
            </span>
            <button
              type="button"
              aria-label="Remove taxon filter"
              className="text-emerald-900/60 hover:text-emerald-950"
              onClick={() => go({ ...filter, taxon: undefined, rank: undefined })}
            >
              ✕
            </button>
          </div>
        )}
        <TaxonTypeahead collection={collection} onPick={(t) => go({ ...filter, taxon: t.name, rank: t.rank })} />
      </Field>

      <Field label="Iconic group" htmlFor="iconic-group">
        <select
          id="iconic-group"
          className={inputClass}
          value={filter.iconicGroup ?? ""}
          onChange={(e) => go({ ...filter, iconicGroup: e.target.value || undefined })}
        >
          <option value="">All groups</option>
          {groups.map((g) => (
            <option key={g.group} value={g.group}>
              {g.group}
            </option>
          ))}
        </select>
      </Field>

      <form onSubmit={apply} className="space-y-5">
        <fieldset className="space-y-2">
          <legend className="mb-1 text-xs font-medium tracking-wide text-stone-600 uppercase">Observed</legend>
          <Labeled label="From">
            <Input type="date" aria-label="Observed from" value={from} onChange={(e) => setFrom(e.target.value)} />
          </Labeled>
          <Labeled label="To">
            <Input type="date" aria-label="Observed to" value={to} onChange={(e) => setTo(e.target.value)} />
          </Labeled>
        </fieldset>
        <fieldset>
          <legend className="mb-1 text-xs font-medium tracking-wide text-stone-600 uppercase">Area</legend>
          <div className="grid grid-cols-2 gap-x-2 gap-y-1.5">
            {(
              [
                ["minLat", "Min latitude", "−90…90"],
                ["maxLat", "Max latitude", "−90…90"],
                ["minLon", "Min longitude", "−180…180"],
                ["maxLon", "Max longitude", "−180…180"],
              ] as const
            ).map(([k, label, hint]) => (
              <label key={k} className="block">
                <span className="block text-[11px] text-stone-500">{label}</span>
                <Input
                  inputMode="decimal"
                  aria-label={label}
                  placeholder={hint}
                  value={box[k]}
                  onChange={(e) => setBox({ ...box, [k]: e.target.value })}
                />
              </label>
            ))}
          </div>
          {boxError && <p className="mt-1 text-xs text-red-700">{boxError}</p>}
        </fieldset>
        <div className="flex gap-2">
          <Button type="submit">Apply</Button>
          <Button
            type="button"
            variant="secondary"
            onClick={() => {
              setFrom("");
              setTo("");
              setBox({ minLat: "", maxLat: "", minLon: "", maxLon: "" });
              go({});
            }}
          >
            Clear all
          </Button>
        </div>
      </form>
    </aside>
  );
}
