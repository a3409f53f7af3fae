import { requireApiUser } from "@/lib/auth/session";
import { importJobStatus } from "@/lib/jobs/imports";

export async function GET(request: Request, { params }: { params: Promise<{ jobId: string }> }) {
  const user = await requireApiUser(request, ["admin", "lead"]);
  if (user instanceof Response) return user;
  const { jobId } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(jobId)) return Response.json({ error: "Not an import job id" }, { status: 400 });
  const status = await importJobStatus(jobId);
  if (!status) return Response.json({ error: `No import job ${jobId}` }, { status: 404 });
  return Response.json(status, { headers: { "Cache-Control": "no-store" } });
}
