import type PgBoss from "pg-boss";
import { parseJobData } from "@/lib/jobs/boss";
import { exportJobSchema, runExport } from "@/lib/jobs/export";

export async function handleExportJobs(jobs: PgBoss.Job<unknown>[]) {
  const results = [];
  for (const job of jobs) results.push(await runExport(parseJobData(exportJobSchema, job).exportId));
  return results.length === 1 ? results[0] : results;
}
