import { z } from "zod";
import { assignOverlap, DEFAULT_OVERLAP_SHARE, OverlapError } from "@/lib/agreement/overlap";
import { jsonError } from "../../../../../_lib/http";
import { describeZodError, jsonBody, queryRefOr404 } from "../../../../../_lib/queries";
import { route } from "../../../../../_lib/route";

const overlapSchema = z.object({
  assignee: z.string().min(1, "assignee: name the second expert (a user id)").max(100),
  share: z.number().gt(0, "share is more than 0").max(1, "share is at most 1").default(DEFAULT_OVERLAP_SHARE),
});

/**
 * POST .../queries/[queryId]/overlap {assignee, share?}: sends the query's blind overlap sample (every
 * unsure image and ceil(share x judged) others, default 10%) to a second expert. Answers the counts.
 */
export const POST = route<{ name: string; queryId: string }>(
  "agreement.assign",
  async (request, { params: { name, queryId }, user }) => {
    const parsed = overlapSchema.safeParse(await jsonBody(request));
    if (!parsed.success) return jsonError(400, describeZodError(parsed.error));
    const query = await queryRefOr404(name, queryId);
    try {
      const result = await assignOverlap(user, query, { assigneeId: parsed.data.assignee, share: parsed.data.share });
      return Response.json(result);
    } catch (e) {
      if (e instanceof OverlapError) return Response.json({ error: e.message, field: e.field }, { status: 400 });
      throw e;
    }
  },
);
