import type PgBoss from "pg-boss";
import { runLearningRound } from "@/lib/active-learning/round";
import { parseJobData } from "@/lib/jobs/boss";
import { learningJobSchema } from "@/lib/jobs/learning";

export async function handleLearningJobs(jobs: PgBoss.Job<unknown>[]) {
  const results = [];
  for (const job of jobs) {
    const { queryId, modelId } = parseJobData(learningJobSchema, job);
    const r = await runLearningRound(queryId, { modelId });
    results.push({
      queryId,
      round: r.round,
      skipped: r.skipped,
      ranked: r.ranked,
      ms: r.ms,
      looksComplete: r.signals.looksComplete,
    });
  }
  return results.length === 1 ? results[0] : results;
}
