"use client";

import { useState } from "react";

// The full picture; if it cannot be loaded the frame says so instead of showing a broken image.
// (The original route itself answers an unreadable file with a placeholder that gives the reason.)
export function Picture({
  src,
  alt,
  width,
  height,
}: {
  src: string;
  alt: string;
  width: number | null;
  height: number | null;
}) {
  const [failed, setFailed] = useState(false);
  if (failed) {
    return (
      <div className="flex aspect-[4/3] w-full items-center justify-center rounded-xl bg-stone-200 p-6 text-center text-sm text-stone-600">
        This image could not be loaded.
      </div>
    );
  }
  return (
    // eslint-disable-next-line @next/next/no-img-element -- served as-is by our own route
    <img
      src={src}
      alt={alt}
      width={width ?? undefined}
      height={height ?? undefined}
      onError={() => setFailed(true)}
      className="mx-auto max-h-[75vh] w-auto max-w-full rounded-xl bg-stone-200 object-contain"
    />
  );
}
