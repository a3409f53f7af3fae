import { describe, expect, it } from "vitest";
import { learningDisplay, type SummaryInput } from "@/lib/active-learning/display";
import { querySignals, quietRun } from "@/lib/active-learning/stopping";
import type { RecallEstimate } from "@/lib/recall/estimate";

// The lines the workspace's stopping-signals panel draws, from a learning summary.

const TRUSTED: RecallEstimate = {
  remaining: 4,
  remainingLow: 0,
  remainingHigh: 11,
  recall: 0.931,
  recallLow: 0.8412,
  recallHigh: 1,
  audited: 30,
  trusted: true,
};

function summary(
  sequence: boolean[],
  opts: { audit?: { planned: number; judged: number; relevant: number }; estimate?: RecallEstimate | null } = {},
): SummaryInput {
  const audit = opts.audit ? { draw: 1, foundSince: 0, ...opts.audit } : null;
  const signals = querySignals({ sequence, collectionSize: 400, audit, estimate: opts.estimate ?? null });
  return { rounds: 7, note: null, looksComplete: signals.looksComplete, signals };
}

const relevantThen = (relevant: number, notRelevant: number) => [
  ...Array<boolean>(relevant).fill(true),
  ...Array<boolean>(notRelevant).fill(false),
];

describe("learningDisplay", () => {
  it("before any round: says it waits for one, with no signals and no number", () => {
    const d = learningDisplay(null);
    expect(d).toMatchObject({ looksComplete: false, lines: [], rounds: 0, estimate: { trusted: false } });
    expect(d.headline).toMatch(/first learning round/);
    expect(d.estimate.text).not.toMatch(/\d/);
  });

  it("a round that trained nothing says why", () => {
    const d = learningDisplay({ rounds: 1, note: "no relevant image judged yet", looksComplete: false, signals: null });
    expect(d.headline).toBe("no relevant image judged yet");
    expect(d.note).toBe("no relevant image judged yet");
  });

  it("while the ranking still finds images: waitingFor in words, each signal with its numbers", () => {
    const sequence = relevantThen(20, 12);
    const needed = quietRun(sequence).needed; // QUIET_BASE + 10% of the judgments
    const d = learningDisplay(summary(sequence));
    expect(d.looksComplete).toBe(false);
    expect(d.headline).toBe(
      `Not complete yet: the ranking is still finding relevant images (12 of ${needed} not relevant in a row)`,
    );
    const text = Object.fromEntries(d.lines.map((l) => [l.id, l.text]));
    expect(text).toEqual({
      inquire: "12 of 100 not relevant in a row",
      knee: "needs 150 judged (32 so far)",
      target: expect.stringMatching(/^p = (< 0\.001|[01]\.\d{3}) vs 0\.05$/),
      quiet: `12 of ${needed} not relevant in a row`,
    });
    expect(d.lines.every((l) => l.met === false)).toBe(true);
    expect(d.estimate).toEqual({
      trusted: false,
      text: "No recall estimate yet: it needs an audit of the unjudged images",
    });
  });

  it("an untrusted estimate shows its reason, never its numbers", () => {
    const untrusted = { ...TRUSTED, remaining: 17, remainingHigh: 93, trusted: false, reason: "no audit sample yet" };
    const d = learningDisplay(summary(relevantThen(20, 80), { estimate: untrusted }));
    expect(d.estimate).toEqual({ trusted: false, text: "No recall estimate to trust yet: no audit sample yet" });
    expect(d.estimate.text).not.toMatch(/17|93|0\.9/);
  });

  it("the knee past 150 judged shows its ratio against the threshold; an audit shows how far it is, not which images", () => {
    const d = learningDisplay(summary(relevantThen(40, 120), { audit: { planned: 30, judged: 12, relevant: 0 } }));
    const knee = d.lines.find((l) => l.id === "knee")!;
    expect(knee.text).toMatch(/^slope ratio \d+\.\d vs threshold 116$/);
    expect(knee.met).toBe(true);
    expect(d.lines.find((l) => l.id === "audit")).toEqual({
      id: "audit",
      label: "Audit",
      text: "12 of 30 judged, 0 relevant",
      met: null,
    });
    expect(d.headline).toBe("Not complete yet: the audit: 12 of 30 judged");
    expect(d.lines.find((l) => l.id === "inquire")).toMatchObject({
      text: "120 of 100 not relevant in a row",
      met: true,
    });
  });

  it("looks complete: the badge's verdict and a trusted estimate in the brief's words", () => {
    const sequence = relevantThen(40, 90);
    const needed = quietRun(sequence).needed;
    expect(needed).toBeLessThanOrEqual(90);
    const d = learningDisplay(
      summary(sequence, { audit: { planned: 30, judged: 30, relevant: 0 }, estimate: TRUSTED }),
    );
    expect(d.looksComplete).toBe(true);
    expect(d.headline).toBe("Looks complete");
    expect(d.estimate).toEqual({
      trusted: true,
      text: "Estimated remaining relevant: 4 (0 to 11); recall 0.93 (0.84 to 1.00)",
    });
    expect(d.lines.find((l) => l.id === "quiet")).toMatchObject({
      text: `90 of ${needed} not relevant in a row`,
      met: true,
    });
  });
});
