"use client";

import { Button, inputClass } from "@/app/_components/ui";
import { keyHint, type KeyAction } from "@/lib/judgments/keymap";
import type { JudgmentValue } from "@/lib/judgments/values";
import { COLUMN_RANGE, PAGE_SIZES, type JudgingSettings } from "./settings";

// Above the grid: the judging actions for the mouse (each names its key), grid size, and for leads
// whose queue to look at.

type Person = { id: string; name: string };

const Key = ({ action }: { action: KeyAction }) => <kbd className="text-xs text-stone-500">{keyHint(action)}</kbd>;

export function GridToolbar(props: {
  readOnly: boolean;
  canJudge: boolean;
  canUndo: boolean;
  unjudgedHere: number;
  onJudge: (v: JudgmentValue) => void;
  onUndo: () => void;
  onMarkRest: () => void;
  onHelp: () => void;
  settings: JudgingSettings;
  onColumns: (n: number) => void;
  onPageSize: (n: number) => void;
  people: Person[] | null;
  annotatorId: string;
  userId: string;
  onAnnotator: (id: string) => void;
}) {
  const { settings } = props;
  const columns = Array.from({ length: COLUMN_RANGE[1] - COLUMN_RANGE[0] + 1 }, (_, i) => COLUMN_RANGE[0] + i);
  return (
    <div className="mb-3 flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
      {!props.readOnly && (
        <div className="flex flex-wrap gap-1.5" role="group" aria-label="Judge the focused image">
          <Button variant="secondary" onClick={() => props.onJudge("relevant")} disabled={!props.canJudge}>
            <span aria-hidden>✓</span> Relevant <Key action="relevant" />
          </Button>
          <Button variant="secondary" onClick={() => props.onJudge("not_relevant")} disabled={!props.canJudge}>
            <span aria-hidden>✗</span> Not relevant <Key action="not_relevant" />
          </Button>
          <Button variant="secondary" onClick={() => props.onJudge("unsure")} disabled={!props.canJudge}>
            <span aria-hidden>?</span> Unsure <Key action="unsure" />
          </Button>
          <Button variant="ghost" onClick={props.onUndo} disabled={!props.canUndo}>
            Undo <Key action="undo" />
          </Button>
          <Button variant="ghost" onClick={props.onMarkRest} disabled={props.unjudgedHere === 0}>
            Rest not relevant <Key action="markRest" />
          </Button>
        </div>
      )}
      <div className="ml-auto flex flex-wrap items-center gap-3">
        {props.people && (
          <label className="flex items-center gap-1.5 whitespace-nowrap text-stone-600">
            Queue of
            <select
              className={`${inputClass} w-auto py-1`}
              value={props.annotatorId}
              data-testid="annotator-select"
              onChange={(e) => props.onAnnotator(e.target.value)}
            >
              {props.people.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.id === props.userId ? `${p.name} (me)` : p.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="flex items-center gap-1.5 whitespace-nowrap text-stone-600">
          Columns
          <select
            className={`${inputClass} w-auto py-1`}
            value={settings.columns}
            onChange={(e) => props.onColumns(Number(e.target.value))}
            data-testid="columns-select"
          >
            {columns.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-1.5 whitespace-nowrap text-stone-600">
          Per page
          <select
            className={`${inputClass} w-auto py-1`}
            value={settings.pageSize}
            onChange={(e) => props.onPageSize(Number(e.target.value))}
            data-testid="page-size-select"
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <Button variant="ghost" onClick={props.onHelp}>
          Keys <Key action="help" />
        </Button>
      </div>
    </div>
  );
}
