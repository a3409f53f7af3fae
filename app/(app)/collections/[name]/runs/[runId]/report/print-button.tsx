"use client";

/** The browser's print dialog, where "Save as PDF" makes the report's PDF (the page has print styles). */
export function PrintButton() {
  return (
    <button
      type="button"
      onClick={() => window.print()}
      className="rounded-lg border border-stone-300 bg-white px-3 py-1.5 text-sm hover:bg-stone-50 print:hidden"
    >
      Print or save as PDF
    </button>
  );
}
