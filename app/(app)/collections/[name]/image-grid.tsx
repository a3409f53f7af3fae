"use client";

import { useEffect, useRef, type ReactNode } from "react";
import Link from "next/link";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Button } from "@/app/_components/ui";
import { filterToSearchParams, isFilterEmpty, type ImageFilter } from "@/lib/filters/filter";
import type { ImageCard, ImageCount, ImagePage } from "@/lib/browse/images";
import { imagePagePath, thumbnailUrl } from "@/lib/browse/urls";

// The image grid: the first page comes from the server; further pages load from the JSON API as the
// end of the grid scrolls into view. Thumbnails load lazily, so a page of 80 costs only what is seen.

type Page = ImagePage & { total?: ImageCount };

async function fetchPage(collection: string, filter: ImageFilter, cursor: string | null): Promise<Page> {
  const params = filterToSearchParams(filter);
  if (cursor) params.set("cursor", cursor);
  const res = await fetch(`/api/collections/${encodeURIComponent(collection)}/images?${params}`);
  if (!res.ok) throw new Error((await res.json().catch(() => null))?.error ?? `loading images failed (${res.status})`);
  return res.json();
}

export function ImageGrid({ collection, filter, initial }: { collection: string; filter: ImageFilter; initial: Page }) {
  const key = filterToSearchParams(filter).toString();
  const query = useInfiniteQuery({
    queryKey: ["images", collection, key],
    queryFn: ({ pageParam }) => fetchPage(collection, filter, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: { pages: [initial], pageParams: [null] },
    staleTime: 60_000,
  });
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasNextPage) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries[0].isIntersecting && !isFetchingNextPage) void fetchNextPage();
      },
      { rootMargin: "800px" },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const images = query.data.pages.flatMap((p) => p.images);
  const total = query.data.pages[0].total;
  return (
    <section aria-label="Images" className="min-w-0">
      <p className="mb-3 text-sm text-stone-600">
        <span data-testid="image-count" className="font-medium text-stone-900">
          {total ? `${total.count.toLocaleString("en-US")}${total.capped ? "+" : ""}` : images.length}
        </span>{" "}
        {total?.count === 1 ? "image" : "images"}
        {!isFilterEmpty(filter) && " match these filters"}
      </p>
      {images.length === 0 ? (
        <div className="rounded-xl border border-dashed border-stone-300 bg-white p-10 text-center text-sm text-stone-600">
          No images match these filters.
        </div>
      ) : (
        <ul className="grid grid-cols-[repeat(auto-fill,minmax(9.5rem,1fr))] gap-3" data-testid="image-grid">
          {images.map((image) => (
            <Card key={image.id} collection={collection} image={image} />
          ))}
        </ul>
      )}
      <div ref={sentinel} className="mt-6 flex justify-center">
        {query.hasNextPage && (
          <Button variant="secondary" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
            {query.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        )}
        {query.isError && <p className="text-sm text-red-700">{query.error.message}</p>}
      </div>
    </section>
  );
}

function Card({ collection, image }: { collection: string; image: ImageCard }) {
  const label = image.taxon?.commonName ?? image.taxon?.name ?? "Unidentified";
  return (
    <ImageTile
      collection={collection}
      imageId={image.id}
      alt={label}
      unreadableReason={image.status === "unreadable" ? (image.statusReason ?? "") : undefined}
    >
      <p className="mt-1 truncate text-xs text-stone-700" title={image.taxon?.name}>
        {label}
      </p>
    </ImageTile>
  );
}

/** One square thumbnail linking to the image's page, with a caption below: the grid's look, for any grid. */
export function ImageTile({
  collection,
  imageId,
  alt,
  unreadableReason,
  children,
}: {
  collection: string;
  /** the source id */
  imageId: string;
  alt: string;
  /** set for an unreadable image: shown instead of a thumbnail */
  unreadableReason?: string;
  children: ReactNode;
}) {
  return (
    <li>
      <Link href={imagePagePath(collection, imageId)} className="group block" data-image-id={imageId}>
        <div className="aspect-square overflow-hidden rounded-lg bg-stone-200 ring-emerald-600 group-hover:ring-2">
          {unreadableReason !== undefined ? (
            <div
              className="flex h-full flex-col items-center justify-center gap-1 p-3 text-center"
              title={unreadableReason}
            >
              <span className="text-xs font-semibold text-stone-700">Unreadable image</span>
              <span className="line-clamp-4 text-[11px] break-words text-stone-500">{unreadableReason}</span>
            </div>
          ) : (
            // eslint-disable-next-line @next/next/no-img-element -- thumbnails are already sized and cached by our own route
            <img
              src={thumbnailUrl(collection, imageId)}
              alt={alt}
              loading="lazy"
              decoding="async"
              width={384}
              height={384}
              className="h-full w-full object-cover"
            />
          )}
        </div>
        {children}
      </Link>
    </li>
  );
}
