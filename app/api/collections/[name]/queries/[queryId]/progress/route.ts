import { z } from "zod";
import { can } from "@/lib/auth/permissions";
import { progressByAnnotator, queryProgress } from "@/lib/judgments/progress";
import { whoseJudgments } from "@/lib/judgments/visibility";
import { jsonError } from "../../../../../_lib/http";
import { describeZodError, queryRefOr404 } from "../../../../../_lib/queries";
import { route } from "../../../../../_lib/route";

const progressSchema = z.object({ annotator: z.string().max(100).optional() });

/**
 * GET .../queries/[queryId]/progress?annotator=me|all|<user id>: judged, relevant, unsure, the current
 * not-relevant run and per-source yield; leads also get one row per annotator.
 */
export const GET = route<{ name: string; queryId: string }>(
  "collections.read",
  async (request, { params: { name, queryId }, user }) => {
    const parsed = progressSchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!parsed.success) return jsonError(400, describeZodError(parsed.error));
    const whose = whoseJudgments(user, parsed.data.annotator);
    if ("error" in whose) return jsonError(403, whose.error);
    const query = await queryRefOr404(name, queryId);
    const [progress, annotators] = await Promise.all([
      queryProgress(query, whose.annotatorId),
      can(user, "judgments.read-all") ? progressByAnnotator(query) : undefined,
    ]);
    return Response.json({ progress, ...(annotators && { annotators }) });
  },
);
