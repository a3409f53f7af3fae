import { z } from "zod";
import { requireApiUser } from "@/lib/auth/session";
import { progressByAnnotator, queryProgress } from "@/lib/judgments/progress";
import { seesEveryone, whoseJudgments } from "@/lib/judgments/visibility";
import { jsonError } from "../../../../../_lib/http";
import { describeZodError, queryRefOr404 } from "../../../../../_lib/queries";

const progressSchema = z.object({ annotator: z.string().max(100).optional() });

/**
 * GET .../queries/[queryId]/progress?annotator=me|all|<user id>: judged, relevant, unsure, the current
 * not-relevant run and per-source yield; leads also get one row per annotator.
 */
export async function GET(request: Request, { params }: { params: Promise<{ name: string; queryId: string }> }) {
  const user = await requireApiUser(request);
  if (user instanceof Response) return user;
  const { name, queryId } = await params;
  const parsed = progressSchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) return jsonError(400, describeZodError(parsed.error));
  const whose = whoseJudgments(user, parsed.data.annotator);
  if ("error" in whose) return jsonError(403, whose.error);
  const query = await queryRefOr404(name, queryId);
  if (query instanceof Response) return query;
  const [progress, annotators] = await Promise.all([
    queryProgress(query, whose.annotatorId),
    seesEveryone(user.role) ? progressByAnnotator(query) : undefined,
  ]);
  return Response.json({ progress, ...(annotators && { annotators }) });
}
