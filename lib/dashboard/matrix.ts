// Coverage by kind of query: supercategory x fine category (rows) x iconic group (columns), each cell
// holding how many queries it has and how many relevant (query, image) pairs by final label (INQUIRE's
// annotation count). A cell with queries but fewer relevant pairs than the lead's threshold is thin.
// Client-safe, pure.

export const DEFAULT_THIN_THRESHOLD = 5;
/** What a missing supercategory, category or iconic group is called in the matrix. */
export const UNSET = "(none)";

export type MatrixCell = { queries: number; relevant: number; thin: boolean };
export type MatrixRow = { supercategory: string; category: string; cells: (MatrixCell | null)[] };
export type CoverageMatrix = {
  threshold: number;
  /** the columns */
  iconicGroups: string[];
  rows: MatrixRow[];
  thinCells: number;
};

type Counted = {
  supercategory: string | null;
  category: string | null;
  iconicGroup: string | null;
  relevant: number;
};

const byName = (a: string, b: string) => (a === UNSET ? 1 : b === UNSET ? -1 : a.localeCompare(b, "en"));

export function coverageMatrix(queries: readonly Counted[], threshold = DEFAULT_THIN_THRESHOLD): CoverageMatrix {
  const groups = [...new Set(queries.map((q) => q.iconicGroup ?? UNSET))].sort(byName);
  const column = new Map(groups.map((g, i) => [g, i]));
  const rows = new Map<string, MatrixRow>();
  for (const q of queries) {
    const supercategory = q.supercategory ?? UNSET;
    const category = q.category ?? UNSET;
    const key = `${supercategory}\u0000${category}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { supercategory, category, cells: groups.map(() => null) }));
    const i = column.get(q.iconicGroup ?? UNSET)!;
    const cell = (row.cells[i] ??= { queries: 0, relevant: 0, thin: false });
    cell.queries += 1;
    cell.relevant += q.relevant;
  }
  let thinCells = 0;
  for (const row of rows.values())
    for (const cell of row.cells)
      if (cell) {
        cell.thin = cell.relevant < threshold;
        if (cell.thin) thinCells++;
      }
  const sorted = [...rows.values()].sort(
    (a, b) => byName(a.supercategory, b.supercategory) || byName(a.category, b.category),
  );
  return { threshold, iconicGroups: groups, rows: sorted, thinCells };
}
