import { describe, expect, it } from "vitest";
import { auditDue, QUIET_BASE, quietRun, querySignals, type AuditState } from "@/lib/active-learning/stopping";

const seq = (relevant: number, thenNot: number) => [...Array(relevant).fill(true), ...Array(thenNot).fill(false)];
const audit = (over: Partial<AuditState> = {}): AuditState => ({
  draw: 1,
  planned: 30,
  judged: 30,
  relevant: 0,
  foundSince: 0,
  ...over,
});

describe("the quiet run", () => {
  it("needs QUIET_BASE + 10% of the judged sequence without a relevant image", () => {
    const needed = (n: number) => QUIET_BASE + Math.ceil(0.1 * n);
    expect(quietRun(seq(40, QUIET_BASE)).met).toBe(false);
    const s = seq(40, 40);
    expect(quietRun(s)).toEqual({ met: true, consecutiveNotRelevant: 40, needed: needed(80) });
    expect(quietRun(seq(0, 500)).met).toBe(false); // nothing found is not "done"
  });
});

describe("audits", () => {
  it("are drawn half-way through a quiet run, and again only after one that found something", () => {
    const needed = quietRun(seq(40, 0)).needed; // QUIET_BASE + 10% of what was judged (about the same here)
    const justShort = quietRun(seq(40, Math.ceil(needed / 2) - 2));
    expect(auditDue(justShort, null, 40)).toBe(false);
    const halfway = quietRun(seq(40, needed));
    expect(auditDue(halfway, null, 40)).toBe(true);
    expect(auditDue(halfway, audit({ judged: 10 }), 40)).toBe(false);
    expect(auditDue(halfway, audit(), 40)).toBe(false);
    expect(auditDue(halfway, audit({ relevant: 1 }), 40)).toBe(true);
    expect(auditDue(quietRun(seq(0, 80)), null, 0)).toBe(false); // nothing found yet: no audit
  });
});

describe("looks complete", () => {
  const base = { collectionSize: 5000, estimate: null };
  it("when the ranking is quiet and a full audit found nothing", () => {
    const s = seq(40, 60);
    expect(querySignals({ ...base, sequence: s, audit: audit() })).toMatchObject({
      looksComplete: true,
      waitingFor: null,
    });
    expect(querySignals({ ...base, sequence: s, audit: audit({ judged: 12 }) })).toMatchObject({
      looksComplete: false,
      waitingFor: "the audit: 12 of 30 judged",
    });
    expect(querySignals({ ...base, sequence: s, audit: audit({ relevant: 1 }) }).looksComplete).toBe(false);
    expect(querySignals({ ...base, sequence: s, audit: null }).looksComplete).toBe(false);
    expect(querySignals({ ...base, sequence: seq(40, 10), audit: audit() }).looksComplete).toBe(false);
    expect(querySignals({ ...base, sequence: [], audit: null }).waitingFor).toBe("no relevant image found yet");
  });

  it("carries INQUIRE's rule, the knee and the recall-target test beside it", () => {
    const sig = querySignals({ ...base, sequence: seq(40, 120), audit: audit() });
    expect(sig.inquire).toMatchObject({ met: true, consecutiveNotRelevant: 120 });
    expect(sig.knee.judged).toBe(160);
    expect(sig.target.targetRecall).toBe(0.95);
  });
});
