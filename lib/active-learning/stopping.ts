import {
  inquireRule,
  kneeSignal,
  recallTargetTest,
  type InquireRuleSignal,
  type KneeSignal,
} from "@/lib/recall/signals";
import type { RecallTargetSignal } from "@/lib/recall/signals";
import type { RecallEstimate } from "@/lib/recall/estimate";

// When is a query done? The signals a round computes over the query's judged sequence (judgments in
// the order made, audits left out: they are random draws, not the ranking), and the one verdict,
// "looks complete", that a lead then confirms. Pure: the worker's round and the simulator both call it.
//
// INQUIRE's rule (100 not-relevant in a row) and the knee method (at least 150 judged) are shown as
// they are defined; on a query of 50 relevant images they cost more than finding the images did. The
// quiet run scales the same idea to the query: no relevant image in the last QUIET_BASE + 10% of the
// judgments made. It is what times an audit: once the ranking has gone quiet, a stratified random
// sample of the unjudged pool (lib/recall/strata) checks whether relevant images remain where the
// ranking does not look. The query looks complete when the ranking is quiet AND an audit drawn after
// the ranking went half-quiet has been judged in full and found nothing: the ranking and the random
// sample agree. Every relevant image an audit finds goes back into training, and a new audit follows.

export const QUIET_BASE = 25;
export const QUIET_SHARE = 0.1;
export const AUDIT_SIZE = 30;
export const TARGET_RECALL = 0.95;

export type QuietRunSignal = { met: boolean; consecutiveNotRelevant: number; needed: number };

export type AuditState = {
  draw: number;
  /** images drawn, and how many of them are judged */
  planned: number;
  judged: number;
  relevant: number;
  /** relevant images found by judging since the draw: the audit no longer describes the pool */
  foundSince: number;
};

export type QuerySignals = {
  judged: number;
  relevant: number;
  inquire: InquireRuleSignal;
  knee: KneeSignal;
  target: RecallTargetSignal;
  quiet: QuietRunSignal;
  audit: AuditState | null;
  estimate: RecallEstimate | null;
  looksComplete: boolean;
  /** what stands between the query and "looks complete", in words for a screen */
  waitingFor: string | null;
};

export function quietRun(sequence: readonly boolean[]): QuietRunSignal {
  const needed = QUIET_BASE + Math.ceil(QUIET_SHARE * sequence.length);
  let run = 0;
  for (let i = sequence.length - 1; i >= 0 && !sequence[i]; i--) run++;
  return { met: sequence.some(Boolean) && run >= needed, consecutiveNotRelevant: run, needed };
}

/**
 * Whether a round should draw a new audit: the ranking is half-way through a quiet run (so the audit is
 * judged while the run completes), and there is no audit yet or the last one found relevant images.
 * An audit that found nothing stays valid when the ranking finds more later: it describes the pool as
 * drawn, and later finds come out of that pool (lib/active-learning/audit.ts counts them).
 */
export function auditDue(quiet: QuietRunSignal, audit: AuditState | null, relevantFound: number): boolean {
  if (!relevantFound || quiet.consecutiveNotRelevant < Math.ceil(quiet.needed / 2)) return false;
  if (!audit) return true;
  return audit.judged >= audit.planned && audit.relevant > 0;
}

export function querySignals(input: {
  sequence: readonly boolean[];
  collectionSize: number;
  audit: AuditState | null;
  estimate: RecallEstimate | null;
}): QuerySignals {
  const { sequence, audit, estimate } = input;
  const quiet = quietRun(sequence);
  const relevant = sequence.filter(Boolean).length;
  const auditClean = audit !== null && audit.judged >= audit.planned && audit.relevant === 0;
  const waitingFor = !relevant
    ? "no relevant image found yet"
    : !quiet.met
      ? `the ranking is still finding relevant images (${quiet.consecutiveNotRelevant} of ${quiet.needed} not relevant in a row)`
      : !audit || (audit.judged >= audit.planned && audit.relevant > 0)
        ? "an audit of the unjudged images (drawn at the next round)"
        : audit.judged < audit.planned
          ? `the audit: ${audit.judged} of ${audit.planned} judged`
          : null;
  return {
    judged: sequence.length,
    relevant,
    inquire: inquireRule(sequence),
    knee: kneeSignal(sequence),
    target: recallTargetTest(sequence, {
      collectionSize: Math.max(input.collectionSize, sequence.length),
      targetRecall: TARGET_RECALL,
    }),
    quiet,
    audit,
    estimate,
    looksComplete: quiet.met && auditClean,
    waitingFor: quiet.met && auditClean ? null : waitingFor,
  };
}
