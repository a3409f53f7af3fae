"use client";

import { memo, type ReactNode } from "react";
import { cx } from "@/app/_components/ui";
import { thumbnailUrl } from "@/lib/browse/urls";
import type { QueueCandidate } from "@/lib/judgments/queue";
import { JUDGMENT_LABELS, type JudgmentValue } from "@/lib/judgments/values";

// One candidate in the grid. A judgment shows as an icon, a word and a border style, never colour
// alone; the focused card has a thick ring whether or not the browser thinks focus is "visible".

export type CardSync = "saving" | "waiting" | "failed" | "saved";

export const JUDGMENT_ICONS: Record<JudgmentValue, string> = { relevant: "✓", not_relevant: "✗", unsure: "?" };

const BADGE: Record<JudgmentValue, string> = {
  relevant: "bg-emerald-700 text-white",
  not_relevant: "bg-stone-700 text-white",
  unsure: "bg-amber-300 text-amber-950",
};
const BORDER: Record<JudgmentValue, string> = {
  relevant: "border-emerald-600 border-solid",
  not_relevant: "border-stone-400 border-dashed",
  unsure: "border-amber-500 border-dotted",
};
const SYNC_LABEL: Record<Exclude<CardSync, "saved">, string> = {
  saving: "Saving",
  waiting: "Not sent yet",
  failed: "Failed",
};
// glyphs every system font has (Debian's DejaVu lacks ⏸)
const SYNC_ICON: Record<Exclude<CardSync, "saved">, string> = { saving: "↑", waiting: "‖", failed: "⚠" };

type Props = {
  collection: string;
  card: QueueCandidate;
  index: number;
  total: number;
  value: JudgmentValue | null;
  sync: CardSync | null;
  focused: boolean;
  readOnly: boolean;
  setRef: (index: number, el: HTMLButtonElement | null) => void;
  onSelect: (index: number) => void;
  onOpen: (index: number) => void;
  onDrawn: (imageId: string) => void;
  /** the image's source id when card.imageId is another key (the adjudication grid's query/image) */
  thumbnailId?: string;
  /** what else the card shows under the image (the adjudication grid: every judgment and who made it) */
  details?: ReactNode;
  /** said of a card with no value yet */
  emptyLabel?: string;
};

export const JudgingCard = memo(function JudgingCard({
  collection,
  card,
  index,
  total,
  value,
  sync,
  focused,
  readOnly,
  setRef,
  onSelect,
  onOpen,
  onDrawn,
  thumbnailId,
  details,
  emptyLabel,
}: Props) {
  const name = card.taxon?.commonName ?? card.taxon?.name ?? "Unidentified";
  const state = [
    value ? JUDGMENT_LABELS[value] : (emptyLabel ?? (readOnly ? "Not judged" : "Not judged yet")),
    sync && sync !== "saved" ? SYNC_LABEL[sync] : null,
  ]
    .filter(Boolean)
    .join(", ");
  return (
    <li>
      <button
        ref={(el) => setRef(index, el)}
        type="button"
        tabIndex={focused ? 0 : -1}
        data-image-id={card.imageId}
        data-judgment={value ?? "none"}
        data-sync={sync ?? "none"}
        aria-current={focused ? "true" : undefined}
        aria-label={`Image ${index + 1} of ${total}: ${name}. ${state}`}
        onClick={() => onSelect(index)}
        onDoubleClick={() => onOpen(index)}
        className={cx(
          "relative block w-full rounded-lg border-4 bg-white p-0.5 text-left outline-none",
          value ? BORDER[value] : "border-transparent",
          focused && "ring-4 ring-sky-600 ring-offset-2 ring-offset-stone-50",
        )}
      >
        <span className="block aspect-square overflow-hidden rounded-md bg-stone-200">
          {/* eslint-disable-next-line @next/next/no-img-element -- our own thumbnail route, already sized and cached */}
          <img
            src={thumbnailUrl(collection, thumbnailId ?? card.imageId)}
            alt=""
            width={384}
            height={384}
            decoding="async"
            onLoad={() => onDrawn(card.imageId)}
            onError={() => onDrawn(card.imageId)}
            className={cx("h-full w-full object-cover", value === "not_relevant" && "opacity-45 grayscale")}
          />
        </span>
        {value && (
          <span
            className={cx("absolute top-2 left-2 rounded px-1.5 py-0.5 text-xs font-semibold shadow", BADGE[value])}
          >
            <span aria-hidden>{JUDGMENT_ICONS[value]}</span> {JUDGMENT_LABELS[value]}
          </span>
        )}
        {sync && sync !== "saved" && (
          <span
            className={cx(
              "absolute right-2 bottom-7 rounded px-1.5 py-0.5 text-xs font-medium shadow",
              sync === "failed" ? "bg-red-700 text-white" : "bg-white text-stone-800",
            )}
          >
            <span aria-hidden>{SYNC_ICON[sync]}</span> {SYNC_LABEL[sync]}
          </span>
        )}
        <span className="mt-1 flex items-baseline justify-between gap-2 px-0.5 text-xs text-stone-700">
          <span className="truncate" title={card.taxon?.name}>
            {name}
          </span>
          <span
            className="shrink-0 font-mono text-[10px] text-stone-400"
            title={`surfaced by ${card.sources.join(", ")}`}
          >
            #{card.rank}
          </span>
        </span>
        {details}
      </button>
    </li>
  );
});
