import { z } from "zod";

// Scoring a model run as a job: lib/eval/runs.ts's startRun writes the run's row and sends this job in
// one transaction; workers/eval.ts scores it (lib/eval/score-run.ts), the row following its progress.

export const evalJobSchema = z.object({
  /** eval_runs.id */
  runId: z.number().int().positive(),
});
export type EvalJob = z.infer<typeof evalJobSchema>;
