import { z } from "zod";
import {
  JudgmentValue as PrismaJudgmentValueEnum,
  type JudgmentValue as PrismaJudgmentValue,
} from "@/generated/prisma/enums";

// The three judgments and the shape of one judgment write, shared by the browser's retry queue, the
// API and lib/judgments/write.ts. Free of server imports.

/** How long a queue page stays held for the tab it went to; each fetch from that tab renews what it shows. */
export const HOLD_MINUTES = 15;

export type JudgmentValue = PrismaJudgmentValue;
/** The schema's enum, in its order (relevant, not_relevant, unsure): one list for zod, the API and the grid. */
export const JUDGMENT_VALUES = Object.values(PrismaJudgmentValueEnum) as [JudgmentValue, ...JudgmentValue[]];

export const JUDGMENT_LABELS: Record<JudgmentValue, string> = {
  relevant: "Relevant",
  not_relevant: "Not relevant",
  unsure: "Unsure",
};

/** INQUIRE stopped labeling a query after this many consecutive not-relevant judgments in ranked order. */
export const INQUIRE_STOP_RUN = 100;

/** Longest time counted for one judgment: a card left focused over lunch is not an hour of work. */
export const MAX_TIME_SPENT_MS = 10 * 60_000;

/**
 * One write: set this annotator's judgment of an image for a query, or withdraw it (value null, what
 * undo sends when there was no judgment before). clientId is made by the browser when the key is
 * pressed, so a write sent twice is recognised and applied once.
 */
export const judgmentWriteSchema = z.object({
  clientId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "clientId is 8-64 letters, digits, - or _"),
  imageId: z.string().min(1, "imageId is empty").max(1000),
  value: z
    .enum(JUDGMENT_VALUES, { message: `value is one of ${JUDGMENT_VALUES.join(", ")}, or null to withdraw` })
    .nullable(),
  source: z.string().max(100).nullable().default(null),
  timeSpentMs: z
    .number()
    .int()
    .min(0)
    .transform((ms) => Math.min(ms, MAX_TIME_SPENT_MS))
    .nullable()
    .default(null),
});
export type JudgmentWrite = z.output<typeof judgmentWriteSchema>;
export type JudgmentWriteInput = z.input<typeof judgmentWriteSchema>;

export const judgmentBatchSchema = z.object({
  writes: z.array(judgmentWriteSchema).min(1, "writes is empty").max(200, "at most 200 writes at once"),
});

export type WriteResult =
  { clientId: string; status: "saved" | "duplicate" } | { clientId: string; status: "rejected"; error: string };
