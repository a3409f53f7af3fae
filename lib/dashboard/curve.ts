// The relevant-found curve of a query: judged images on x (in the order first judged), relevant ones
// found so far on y (by final label). Where it flattens, judging stopped finding anything. Kept as the
// places of the finds, which is exact and small (a query of 800 judged and 100 relevant is 100 numbers);
// the points are drawn as steps between them. Client-safe.

export type RelevantCurve = {
  queryId: string;
  /** images judged in all */
  judged: number;
  /** 1-based places, among the judged in order, of the images whose final label is relevant; ascending */
  places: number[];
};

/** The curve's corners: (0, 0), each find (place, found so far), and (judged, total) at the end. */
export function curvePoints(curve: Pick<RelevantCurve, "judged" | "places">): [number, number][] {
  const points: [number, number][] = [[0, 0]];
  curve.places.forEach((place, i) => points.push([place, i + 1]));
  const end = Math.max(curve.judged, curve.places.at(-1) ?? 0);
  if (points.at(-1)![0] !== end) points.push([end, curve.places.length]);
  return points;
}

/** How many judgments since the last find: the flat tail of the curve. */
export function flatTail(curve: Pick<RelevantCurve, "judged" | "places">): number {
  return curve.judged - (curve.places.at(-1) ?? 0);
}
