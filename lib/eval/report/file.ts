import fs from "node:fs/promises";
import { thumbnailFor } from "@/lib/images/thumbnails";
import { buildReport, type ReportData, type ReportOptions } from "./build";
import { escapeHtml, renderReportHtml } from "./html";

// The report as one file: its images' thumbnails (lib/images, made now if missing) read and embedded
// as data URIs, so the file opens anywhere, offline, and prints to PDF as it is.

function placeholder(reason: string): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="144" height="144"><rect width="144" height="144" fill="#e7e5e4"/><text x="72" y="76" font-size="11" text-anchor="middle" fill="#57534e">${escapeHtml(reason.slice(0, 40))}</text></svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
}

export async function reportThumbnails(report: ReportData): Promise<Map<number, string>> {
  const ids = [
    ...new Set([...report.errors.topFalsePositives, ...report.errors.lowestRelevant].map((i) => i.imageRowId)),
  ];
  const out = new Map<number, string>();
  for (const id of ids) {
    const thumb = await thumbnailFor(id);
    out.set(
      id,
      "unreadable" in thumb
        ? placeholder(thumb.unreadable)
        : `data:image/webp;base64,${(await fs.readFile(thumb.path)).toString("base64")}`,
    );
  }
  return out;
}

/** The run's report as a self-contained HTML document, or null when the collection has no such run. */
export async function reportHtmlFile(
  collection: { id: number; name: string },
  runId: number,
  opts: ReportOptions,
): Promise<{ html: string; report: ReportData } | null> {
  const report = await buildReport(collection, runId, opts);
  if (!report) return null;
  return { html: await renderReportHtml(report, await reportThumbnails(report)), report };
}
