"use client";

import { useEffect, useId, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { inputClass } from "@/app/_components/ui";
import type { TaxonSuggestion } from "@/lib/browse/taxa";

// Search the collection's taxa at every rank (kingdom down to species, scientific or common names)
// and pick one. Keyboard: arrows move, Enter picks, Escape closes.

async function fetchTaxa(collection: string, q: string): Promise<TaxonSuggestion[]> {
  const res = await fetch(`/api/collections/${encodeURIComponent(collection)}/taxa?q=${encodeURIComponent(q)}`);
  if (!res.ok) throw new Error(`taxon search failed (${res.status})`);
  return (await res.json()).taxa;
}

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return debounced;
}

export function TaxonTypeahead({
  collection,
  onPick,
}: {
  collection: string;
  onPick: (t: { name: string; rank: string }) => void;
}) {
  const id = useId();
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const q = useDebounced(text.trim(), 150);
  const {
    data = [],
    isFetching,
    isError,
  } = useQuery({
    queryKey: ["taxa", collection, q],
    queryFn: () => fetchTaxa(collection, q),
    enabled: q.length > 0,
    placeholderData: (previous) => previous,
  });
  const suggestions = q.length > 0 ? data : [];
  const showList = open && text.trim().length > 0;

  function pick(s: TaxonSuggestion) {
    onPick({ name: s.name, rank: s.rank });
    setText("");
    setOpen(false);
  }

  return (
    <div className="relative">
      <input
        id={`${id}-input`}
        role="combobox"
        aria-expanded={showList}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-label="Search taxa"
        className={inputClass}
        placeholder="Family, genus, species…"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          setActive(0);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 120)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") {
            e.preventDefault();
            setActive((a) => Math.min(a + 1, suggestions.length - 1));
          } else if (e.key === "ArrowUp") {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === "Enter") {
            e.preventDefault();
            if (suggestions[active]) pick(suggestions[active]);
          } else if (e.key === "Escape") setOpen(false);
        }}
      />
      {showList && (
        <ul
          id={`${id}-list`}
          role="listbox"
          className="absolute z-20 mt-1 max-h-80 w-full overflow-auto rounded-md border border-stone-200 bg-white py-1 text-sm shadow-lg"
        >
          {suggestions.map((s, i) => (
            <li
              key={`${s.rank}:${s.name}`}
              role="option"
              aria-selected={i === active}
              className={`cursor-pointer px-3 py-1.5 ${i === active ? "bg-emerald-50" : ""}`}
              onMouseEnter={() => setActive(i)}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(s);
              }}
            >
              <span className="flex items-baseline justify-between gap-2">
                <span className="truncate">
                  <span className={s.rank === "species" || s.rank === "genus" ? "italic" : ""}>{s.name}</span>
                  {s.commonName && s.commonName !== s.name && <span className="text-stone-500"> · {s.commonName}</span>}
                </span>
                <span className="shrink-0 text-xs text-stone-400">{s.rank}</span>
              </span>
              {s.parent && (
                <span className="block truncate text-xs text-stone-400">
                  {s.parent}
                  {s.taxa > 1 ? ` · ${s.taxa} taxa` : ""}
                </span>
              )}
            </li>
          ))}
          {suggestions.length === 0 && (
            <li className="px-3 py-1.5 text-stone-500">
              {isError ? "Search failed" : isFetching || q !== text.trim() ? "Searching…" : "No matching taxa"}
            </li>
          )}
        </ul>
      )}
    </div>
  );
}
