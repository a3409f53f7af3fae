import { z } from "zod";

// What a candidates job carries: lib/judgments/refill.ts queues it, workers/candidates.ts runs it.

export const candidateRefillJobSchema = z.object({
  /** queries.id (the row id, not the query id users see) */
  queryId: z.number().int().positive(),
  /** why it was asked: the queue ran low, or someone asked by hand */
  reason: z.enum(["queue-low", "requested"]),
});
export type CandidateRefillJob = z.infer<typeof candidateRefillJobSchema>;
