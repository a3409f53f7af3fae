"use client";

import { useEffect, useRef, type ReactNode } from "react";
import { Button } from "@/app/_components/ui";
import { helpSections, JUDGING_MODES, keyHint, type GridMode } from "@/lib/judgments/keymap";

// The grid's small dialogs. Keys are handled by the grid's own key handler (so one place decides what
// each key does); these only show (the key list and the keys they name come from the keymap), and
// take focus so the page behind stays still.

const WIDTHS = { narrow: "max-w-lg", medium: "max-w-3xl", wide: "max-w-6xl" };

export function Dialog({
  title,
  onClose,
  children,
  size = "narrow",
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  size?: keyof typeof WIDTHS;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    ref.current?.focus();
    return () => before?.focus?.({ preventScroll: true });
  }, []);
  return (
    <div
      className="fixed inset-0 z-40 flex items-center justify-center bg-stone-950/60 p-4"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div
        ref={ref}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        tabIndex={-1}
        className={`max-h-full w-full overflow-auto rounded-xl bg-white p-5 shadow-xl outline-none focus-visible:ring-4 focus-visible:ring-sky-600 ${WIDTHS[size]}`}
      >
        {children}
      </div>
    </div>
  );
}

export function KeyHelp({ onClose, modes = JUDGING_MODES }: { onClose: () => void; modes?: readonly GridMode[] }) {
  return (
    <Dialog title="Keyboard" onClose={onClose} size="medium">
      <h2 className="mb-3 text-lg font-semibold">Keyboard</h2>
      <div className="gap-8 text-sm md:columns-2" data-testid="key-help">
        {helpSections(modes).map((section) => (
          <section key={section.mode} className="mb-4 break-inside-avoid">
            <h3 className="mb-1.5 text-xs font-semibold tracking-wide text-stone-500 uppercase">{section.title}</h3>
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5">
              {section.rows.map((row) => (
                <div key={row.description} className="contents">
                  <dt className="flex flex-wrap items-center gap-1 text-xs text-stone-500">
                    {row.keys.map((k, i) => (
                      <span key={k} className="contents">
                        {i > 0 && "or"}
                        <kbd className="rounded border border-stone-300 bg-stone-100 px-1.5 py-0.5 font-mono text-stone-900">
                          {k}
                        </kbd>
                      </span>
                    ))}
                  </dt>
                  <dd className="text-stone-700">{row.description}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
      <p className="mt-4 text-xs text-stone-500">
        After each judgment the next unjudged image is focused; a page is done when every image on it is judged.
      </p>
      <div className="mt-4 text-right">
        <Button variant="secondary" onClick={onClose}>
          Close ({keyHint("close", "help")})
        </Button>
      </div>
    </Dialog>
  );
}

export function ConfirmRest({
  count,
  onConfirm,
  onCancel,
}: {
  count: number;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Dialog title="Mark the rest not relevant" onClose={onCancel}>
      <h2 className="text-lg font-semibold">Mark the rest of this page not relevant?</h2>
      <p className="mt-2 text-sm text-stone-700" data-testid="confirm-rest">
        {count} unjudged {count === 1 ? "image" : "images"} on this page will be marked <strong>✗ Not relevant</strong>.
        One <kbd className="font-mono">{keyHint("undo")}</kbd> undoes all of them.
      </p>
      <div className="mt-4 flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel}>
          Cancel ({keyHint("cancel", "confirm")})
        </Button>
        <Button onClick={onConfirm}>
          Mark {count} not relevant ({keyHint("confirm", "confirm")})
        </Button>
      </div>
    </Dialog>
  );
}
