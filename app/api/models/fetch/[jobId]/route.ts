import { modelFetchStatusByJob } from "@/lib/jobs/model-fetch";
import { found, route } from "../../../_lib/route";

/** GET /api/models/fetch/[jobId]: where one fetch stands (state, phase, file, bytes done and in all, error). */
export const GET = route<{ jobId: string }>("models.register", async (_request, { params }) =>
  Response.json({ fetch: found(await modelFetchStatusByJob(params.jobId), `No model fetch with job ${params.jobId}`) }),
);
