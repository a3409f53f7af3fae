import { thumbnailUrl } from "@/lib/browse/urls";
import type { ReportImage } from "@/lib/eval/report/errors";

/** A grid of the report's images: thumbnail, rank, image id, taxon and the query it was ranked for. */
export function ReportImages({
  collection,
  images,
  testId,
}: {
  collection: string;
  images: ReportImage[];
  testId: string;
}) {
  if (!images.length) return <p className="text-sm text-stone-500">None.</p>;
  return (
    <div className="flex flex-wrap gap-2" data-testid={testId}>
      {images.map((i) => (
        <figure key={`${i.queryId}-${i.imageRowId}`} className="w-36 text-xs break-inside-avoid">
          {/* eslint-disable-next-line @next/next/no-img-element -- thumbnails come from our own API with its own caching */}
          <img
            src={thumbnailUrl(collection, i.imageId)}
            alt={`image ${i.imageId}`}
            className="h-36 w-36 rounded bg-stone-200 object-cover"
            loading="eager"
          />
          <figcaption className="mt-1 text-stone-600">
            #{i.rank} · {i.imageId}
            <br />
            <span className="italic">{i.taxon ?? "no taxon"}</span>
            <br />“{i.queryText}”
          </figcaption>
        </figure>
      ))}
    </div>
  );
}
