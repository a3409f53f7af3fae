import { importJobStatus } from "@/lib/jobs/imports";
import { found, route } from "../../_lib/route";

/** GET /api/imports/[jobId]: an import job's state and progress. */
export const GET = route<{ jobId: string }>("collections.import", async (_request, { params: { jobId } }) => {
  if (!/^[0-9a-f-]{36}$/i.test(jobId)) return Response.json({ error: "Not an import job id" }, { status: 400 });
  const status = found(await importJobStatus(jobId), `No import job ${jobId}`);
  return Response.json(status, { headers: { "Cache-Control": "no-store" } });
});
