// Numbers as the report shows them, on the page and in the file alike.

export const fixed = (x: number, digits = 3) => x.toFixed(digits);
export const percent = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)}%`);
export const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(3)}`;
export const REPORT_SECTIONS = {
  errors: "Where the model errs",
  expert: "How much still needs an expert",
  retraining: "Whether retraining would pay",
} as const;
