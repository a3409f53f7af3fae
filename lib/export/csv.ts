// CSV the way pandas' DataFrame.to_csv writes it (INQUIRE's files were written so): comma-separated,
// "\n" after every row, a field quoted only when it holds a comma, a quote or a line break, quotes
// inside doubled, a missing value empty.

export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvRow(values: (string | number | null | undefined)[]): string {
  return `${values.map(csvField).join(",")}\n`;
}
