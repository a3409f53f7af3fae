import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Breadcrumbs } from "@/app/_components/breadcrumbs";
import { requireUser } from "@/lib/auth/session";
import { findCollection } from "@/lib/browse/collections";
import { getImage } from "@/lib/browse/images";
import { unreadablePlaceholderSvg } from "@/lib/browse/placeholder";
import { ImageFacts } from "@/app/_components/image-facts";
import { collectionPath, originalUrl, pageParam } from "@/lib/browse/urls";
import { searchPagePath } from "../../search/search-state";
import { Picture } from "./picture";

type Props = { params: Promise<{ name: string; imageId: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Image ${pageParam((await params).imageId)}` };
}

export default async function ImagePage({ params }: Props) {
  await requireUser("collections.read");
  const { name, imageId } = await params;
  const collection = await findCollection(pageParam(name));
  if (!collection) notFound();
  const image = await getImage(collection.id, pageParam(imageId));
  if (!image) notFound();
  const label = image.taxon?.commonName ?? image.taxon?.name ?? "Unidentified";

  return (
    <>
      <Breadcrumbs
        className="mb-4"
        trail={[
          { href: "/collections", label: "Collections" },
          { href: collectionPath(collection.name), label: collection.name },
        ]}
        current={image.id}
      />
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
            <Picture
              src={originalUrl(collection.name, image.id)}
              alt={label}
              width={image.width}
              height={image.height}
            />
          )}
        </div>
        <aside className="space-y-6">
          <div>
            <h1 className="text-xl font-semibold tracking-tight" data-testid="image-title">
              {label}
            </h1>
            {image.taxon && image.taxon.commonName && image.taxon.commonName !== image.taxon.name && (
              <p className="text-stone-600 italic">{image.taxon.name}</p>
            )}
            {image.status === "ok" && (
              <Link
                href={searchPagePath(collection.name, { mode: "image", input: image.id })}
                className="mt-3 inline-block rounded-md border border-stone-300 bg-white px-3 py-1.5 text-sm font-medium text-stone-800 hover:bg-stone-100"
              >
                Find similar
              </Link>
            )}
          </div>
          <ImageFacts collection={collection.name} image={image} />
        </aside>
      </div>
    </>
  );
}
