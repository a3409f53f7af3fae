"use client";

import type { ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { ImageFacts } from "@/app/_components/image-facts";
import { imageApiPath, originalUrl } from "@/lib/browse/urls";
import type { ImageDetail } from "@/lib/browse/images";
import type { QueueCandidate } from "@/lib/judgments/queue";
import { keyHint, keyLabel, keysFor } from "@/lib/judgments/keymap";
import { JUDGMENT_LABELS, type JudgmentValue } from "@/lib/judgments/values";
import { JUDGMENT_ICONS } from "./judging-card";
import { Dialog } from "./dialogs";

// The full image with its metadata and taxonomy (Space or Enter on a card). Judging keys work here
// too: they judge this image, close the view and move on.

const ALL_VALUES: readonly JudgmentValue[] = ["relevant", "not_relevant", "unsure"];

/** "r / n / u judge and go on · ← → other images · Esc, Space or Enter close", from the keymap. */
const viewerHint = (values: readonly JudgmentValue[]) =>
  [
    `${values.map((a) => keyHint(a, "viewer")).join(" / ")} judge and go on`,
    `${keyHint("left", "viewer")} ${keyHint("right", "viewer")} other images`,
    `${keysFor("close", "viewer")
      .map(keyLabel)
      .join(", ")
      .replace(/, ([^,]*)$/, " or $1")} close`,
  ].join(" · ");

async function fetchImage(collection: string, imageId: string): Promise<ImageDetail> {
  const res = await fetch(imageApiPath(collection, imageId));
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `loading the image failed (${res.status})`);
  return body;
}

export function ImageViewer({
  collection,
  card,
  value,
  position,
  onClose,
  children,
  values = ALL_VALUES,
}: {
  collection: string;
  card: QueueCandidate;
  value: JudgmentValue | null;
  position: string;
  onClose: () => void;
  /** more to show beside the image (the adjudication grid: every judgment and who made it) */
  children?: ReactNode;
  /** the values its keys give here (the adjudication grid's final labels are never "unsure") */
  values?: readonly JudgmentValue[];
}) {
  const { data, error } = useQuery({
    queryKey: ["image", collection, card.imageId],
    queryFn: () => fetchImage(collection, card.imageId),
    staleTime: 300_000,
  });
  const name = card.taxon?.commonName ?? card.taxon?.name ?? "Unidentified";
  return (
    <Dialog title={`Image ${card.imageId}`} onClose={onClose} size="wide">
      <div className="grid gap-6 lg:grid-cols-[1fr_22rem]" data-testid="image-viewer" data-image-id={card.imageId}>
        <div className="flex min-h-0 items-center justify-center">
          {/* eslint-disable-next-line @next/next/no-img-element -- the original, served as is by our own route */}
          <img
            src={originalUrl(collection, card.imageId)}
            alt={name}
            className="max-h-[80vh] w-auto max-w-full rounded-lg bg-stone-200 object-contain"
          />
        </div>
        <aside className="space-y-4">
          <div>
            <p className="text-xs text-stone-500">
              {position} · surfaced by {card.sources.join(", ")} (rank {card.rank})
            </p>
            <h2 className="text-lg font-semibold">{name}</h2>
            <p className="mt-1 text-sm">
              {value ? (
                <span>
                  <span aria-hidden>{JUDGMENT_ICONS[value]}</span> {JUDGMENT_LABELS[value]}
                </span>
              ) : (
                <span className="text-stone-500">Not judged yet</span>
              )}
            </p>
            <p className="mt-2 text-xs text-stone-500">{viewerHint(values)}</p>
          </div>
          {children}
          {error && <p className="text-sm text-red-700">{error.message}</p>}
          {data && <ImageFacts collection={collection} image={data} />}
        </aside>
      </div>
    </Dialog>
  );
}
