import type { QuerySignals } from "./stopping";
import type { LearningSummary } from "./summary";

// What the workspace's "Stopping signals" panel says about a query's learning, as plain lines: the
// verdict (looks complete, or what it waits for), the recall estimate (a number only when it can be
// trusted; otherwise why not), and each stopping signal with its numbers. Client-safe (types only from
// lib/active-learning); the panel draws what this returns. Which images are audit images is never said:
// only how many of the audit are judged.

/** The knee method counts only after this many judgments (Cormack and Grossman's 150; lib/recall/signals). */
export const KNEE_MIN_JUDGED = 150;

/** A summary as it arrives over JSON (dates as strings); the display reads no dates. */
export type SummaryInput = Pick<LearningSummary, "rounds" | "note" | "looksComplete" | "signals">;

export type SignalLine = {
  id: "inquire" | "knee" | "target" | "quiet" | "audit";
  label: string;
  text: string;
  /** null: not a test that is met or not (the audit's progress) */
  met: boolean | null;
};

export type LearningDisplay = {
  looksComplete: boolean;
  /** "Looks complete", or what stands between the query and it, in words */
  headline: string;
  /** why the last round trained nothing, when it did not */
  note: string | null;
  estimate: { trusted: boolean; text: string };
  lines: SignalLine[];
  rounds: number;
};

const count = (n: number) => Math.round(n).toLocaleString("en-US");
const share = (x: number) => x.toFixed(2);

function formatP(p: number): string {
  if (p < 0.001) return "< 0.001";
  return p.toFixed(3);
}

function estimateText(signals: QuerySignals | null): { trusted: boolean; text: string } {
  const e = signals?.estimate ?? null;
  if (!e) return { trusted: false, text: "No recall estimate yet: it needs an audit of the unjudged images" };
  if (!e.trusted)
    return { trusted: false, text: `No recall estimate to trust yet: ${e.reason ?? "too few audit judgments"}` };
  return {
    trusted: true,
    text:
      `Estimated remaining relevant: ${count(e.remaining)} (${count(e.remainingLow)} to ${count(e.remainingHigh)}); ` +
      `recall ${share(e.recall)} (${share(e.recallLow)} to ${share(e.recallHigh)})`,
  };
}

function signalLines(s: QuerySignals): SignalLine[] {
  const knee =
    s.knee.judged < KNEE_MIN_JUDGED
      ? `needs ${KNEE_MIN_JUDGED} judged (${count(s.knee.judged)} so far)`
      : s.knee.ratio === null
        ? "no knee in the gain curve yet"
        : `slope ratio ${s.knee.ratio.toFixed(1)} vs threshold ${s.knee.threshold}`;
  const lines: SignalLine[] = [
    {
      id: "inquire",
      label: "INQUIRE's rule",
      text: `${count(s.inquire.consecutiveNotRelevant)} of ${count(s.inquire.run)} not relevant in a row`,
      met: s.inquire.met,
    },
    { id: "knee", label: "Knee method", text: knee, met: s.knee.met },
    {
      id: "target",
      label: `Recall ≥ ${s.target.targetRecall} test`,
      text: `p = ${formatP(s.target.p)} vs ${share(1 - s.target.confidence)}`,
      met: s.target.met,
    },
    {
      id: "quiet",
      label: "Quiet run",
      text: `${count(s.quiet.consecutiveNotRelevant)} of ${count(s.quiet.needed)} not relevant in a row`,
      met: s.quiet.met,
    },
  ];
  if (s.audit)
    lines.push({
      id: "audit",
      label: "Audit",
      text: `${count(s.audit.judged)} of ${count(s.audit.planned)} judged, ${count(s.audit.relevant)} relevant`,
      met: null,
    });
  return lines;
}

export function learningDisplay(summary: SummaryInput | null): LearningDisplay {
  const signals = summary?.signals ?? null;
  const looksComplete = summary?.looksComplete === true && signals?.looksComplete !== false;
  const headline = looksComplete
    ? "Looks complete"
    : !summary
      ? "Waiting for the first learning round (it follows the first judgment)"
      : signals?.waitingFor
        ? `Not complete yet: ${signals.waitingFor}`
        : (summary.note ?? "Waiting for the next learning round");
  return {
    looksComplete,
    headline,
    note: summary?.note ?? null,
    estimate: estimateText(signals),
    lines: signals ? signalLines(signals) : [],
    rounds: summary?.rounds ?? 0,
  };
}
