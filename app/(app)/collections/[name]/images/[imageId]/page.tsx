import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { requireUser } from "@/lib/auth/session";
import { findCollection } from "@/lib/browse/collections";
import { CHAIN_RANKS } from "@/lib/browse/filters";
import { getImage, type TaxonChain } from "@/lib/browse/images";
import { unreadablePlaceholderSvg } from "@/lib/browse/placeholder";
import { collectionPath, originalUrl, pageParam } from "@/lib/browse/urls";
import { searchPagePath } from "../../search/search-state";
import { Picture } from "./picture";

type Props = { params: Promise<{ name: string; imageId: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Image ${pageParam((await params).imageId)}` };
}

export default async function ImagePage({ params }: Props) {
  await requireUser();
  const { name, imageId } = await params;
  const collection = await findCollection(pageParam(name));
  if (!collection) notFound();
  const image = await getImage(collection.id, pageParam(imageId));
  if (!image) notFound();
  const label = image.taxon?.commonName ?? image.taxon?.name ?? "Unidentified";

  return (
    <>
      <nav className="mb-4 flex flex-wrap gap-1 text-sm text-stone-500">
        <Link href="/collections" className="hover:text-stone-800">Collections</Link> <span aria-hidden>/</span>
        <Link href={collectionPath(collection.name)} className="hover:text-stone-800">{collection.name}</Link> <span aria-hidden>/</span>
        <span className="text-stone-700">{image.id}</span>
      </nav>
      <div className="grid gap-8 lg:grid-cols-[1fr_22rem]">
        <div>
          {image.status === "unreadable" ? (
            <div
              className="mx-auto aspect-square max-h-[75vh] max-w-full overflow-hidden rounded-xl"
              role="img"
              aria-label={`Unreadable image: ${image.statusReason ?? "unknown reason"}`}
              dangerouslySetInnerHTML={{ __html: unreadablePlaceholderSvg(image.statusReason ?? "unknown reason") }}
            />
          ) : (
            <Picture src={originalUrl(collection.name, image.id)} alt={label} width={image.width} height={image.height} />
          )}
        </div>
        <aside className="space-y-6">
          <div>
            <h1 className="text-xl font-semibold tracking-tight" data-testid="image-title">{label}</h1>
            {image.taxon && image.taxon.commonName && image.taxon.commonName !== image.taxon.name && (
              <p className="text-stone-600 italic">{image.taxon.name}</p>
            )}
            {image.status === "ok" && (
              <Link href={searchPagePath(collection.name, { mode: "image", input: image.id })}
                className="mt-3 inline-block rounded-md border border-stone-300 bg-white px-3 py-1.5 text-sm font-medium text-stone-800 hover:bg-stone-100">
                Find similar
              </Link>
            )}
          </div>
          {image.taxon && <Taxonomy collection={collection.name} taxon={image.taxon} />}
          <Section title="Image">
            <Row label="Image id"><span className="font-mono text-xs break-all" data-testid="image-id">{image.id}</span></Row>
            <Row label="File"><span className="font-mono text-xs break-all">{image.fileName}</span></Row>
            {image.width && image.height && <Row label="Size">{image.width} × {image.height} px</Row>}
            <Row label="Observed">{image.observedAt ? new Date(image.observedAt).toISOString().replace("T", " ").slice(0, 16) + " UTC" : "—"}</Row>
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
        </aside>
      </div>
    </>
  );
}

function Taxonomy({ collection, taxon }: { collection: string; taxon: TaxonChain }) {
  const binomial = taxon.genus && taxon.species ? `${taxon.genus} ${taxon.species}` : null;
  const rows: { rank: string; value: string }[] = CHAIN_RANKS.filter((r) => taxon[r]).map((r) => ({ rank: r, value: taxon[r]! }));
  const leafRank = taxon.rank ?? "species";
  if (!rows.some((r) => r.rank === leafRank && r.value === taxon.name)) rows.push({ rank: leafRank, value: leafRank === "species" && binomial ? binomial : taxon.name });
  return (
    <Section title="Taxonomy">
      {rows.map((r) => (
        <Row key={`${r.rank}:${r.value}`} label={r.rank}>
          <Link href={collectionPath(collection, { taxon: r.rank === "species" ? taxon.name : r.value, rank: r.rank })}
            className={`text-emerald-800 hover:underline ${r.rank === "genus" || r.rank === "species" ? "italic" : ""}`}>
            {r.value}
          </Link>
        </Row>
      ))}
      {taxon.commonName && <Row label="Common name">{taxon.commonName}</Row>}
      {taxon.iconicGroup && (
        <Row label="Iconic group">
          <Link href={collectionPath(collection, { iconicGroup: taxon.iconicGroup })} className="text-emerald-800 hover:underline">{taxon.iconicGroup}</Link>
        </Row>
      )}
    </Section>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section>
      <h2 className="mb-2 text-xs font-semibold tracking-wide text-stone-500 uppercase">{title}</h2>
      <dl className="divide-y divide-stone-100 rounded-xl border border-stone-200 bg-white text-sm">{children}</dl>
    </section>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[7.5rem_1fr] gap-3 px-3 py-2">
      <dt className="text-stone-500 first-letter:uppercase">{label}</dt>
      <dd className="min-w-0 text-stone-900">{children}</dd>
    </div>
  );
}
