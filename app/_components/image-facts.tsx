import Link from "next/link";
import type { ReactNode } from "react";
import { CHAIN_RANKS } from "@/lib/filters/filter";
import type { ImageDetail, TaxonChain } from "@/lib/browse/images";
import { collectionPath } from "@/lib/browse/urls";

// An image's taxonomy and metadata as two labelled lists: the image page shows them beside the
// picture, the judging grid's full-image view beside the photo being judged. No hooks, so server and
// client components both render it (observedAt is a Date on the server, a string after JSON).

type ImageFactsImage = Omit<ImageDetail, "observedAt"> & { observedAt: Date | string | null };

export function ImageFacts({ collection, image }: { collection: string; image: ImageFactsImage }) {
  return (
    <>
      {image.taxon && <Taxonomy collection={collection} taxon={image.taxon} />}
      <Section title="Image">
        <Row label="Image id">
          <span className="font-mono text-xs break-all" data-testid="image-id">
            {image.id}
          </span>
        </Row>
        <Row label="File">
          <span className="font-mono text-xs break-all">{image.fileName}</span>
        </Row>
        {image.width && image.height && (
          <Row label="Size">
            {image.width} × {image.height} px
          </Row>
        )}
        <Row label="Observed">
          {image.observedAt ? new Date(image.observedAt).toISOString().replace("T", " ").slice(0, 16) + " UTC" : "—"}
        </Row>
        <Row label="Location">
          {image.latitude != null && image.longitude != null
            ? `${image.latitude.toFixed(5)}, ${image.longitude.toFixed(5)}${image.locationUncertainty != null ? ` ± ${Math.round(image.locationUncertainty)} m` : ""}`
            : "—"}
        </Row>
        <Row label="Licence">{image.license ?? "—"}</Row>
        <Row label="Rights holder">{image.rightsHolder ?? "—"}</Row>
        <Row label="Status">
          {image.status === "ok" ? "ok" : <span className="text-red-800">unreadable: {image.statusReason}</span>}
        </Row>
      </Section>
    </>
  );
}

export function Taxonomy({ collection, taxon }: { collection: string; taxon: TaxonChain }) {
  const binomial = taxon.genus && taxon.species ? `${taxon.genus} ${taxon.species}` : null;
  const rows: { rank: string; value: string }[] = CHAIN_RANKS.filter((r) => taxon[r]).map((r) => ({
    rank: r,
    value: taxon[r]!,
  }));
  const leafRank = taxon.rank ?? "species";
  if (!rows.some((r) => r.rank === leafRank && r.value === taxon.name))
    rows.push({ rank: leafRank, value: leafRank === "species" && binomial ? binomial : taxon.name });
  return (
    <Section title="Taxonomy">
      {rows.map((r) => (
        <Row key={`${r.rank}:${r.value}`} label={r.rank}>
          <Link
            href={collectionPath(collection, { taxon: r.rank === "species" ? taxon.name : r.value, rank: r.rank })}
            className={`text-emerald-800 hover:underline ${r.rank === "genus" || r.rank === "species" ? "italic" : ""}`}
          >
            {r.value}
          </Link>
        </Row>
      ))}
      {taxon.commonName && <Row label="Common name">{taxon.commonName}</Row>}
      {taxon.iconicGroup && (
        <Row label="Iconic group">
          <Link
            href={collectionPath(collection, { iconicGroup: taxon.iconicGroup })}
            className="text-emerald-800 hover:underline"
          >
            {taxon.iconicGroup}
          </Link>
        </Row>
      )}
    </Section>
  );
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section>
      <h2 className="mb-2 text-xs font-semibold tracking-wide text-stone-500 uppercase">{title}</h2>
      <dl className="divide-y divide-stone-100 rounded-xl border border-stone-200 bg-white text-sm">{children}</dl>
    </section>
  );
}

export function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[7.5rem_1fr] gap-3 px-3 py-2">
      <dt className="text-stone-500 first-letter:uppercase">{label}</dt>
      <dd className="min-w-0 text-stone-900">{children}</dd>
    </div>
  );
}
