import { z } from "zod";
import { QueryInputError } from "@/lib/queries/queries";
import { finishQuery, reopenQuery } from "@/lib/queries/status";
import { jsonError } from "../../../../../_lib/http";
import { describeZodError, jsonBody, queryRefOr404 } from "../../../../../_lib/queries";
import { route } from "../../../../../_lib/route";

const statusSchema = z.object({
  action: z.enum(["finish", "reopen"]),
  /** finish a query that does not look complete: the lead says nothing relevant is left */
  override: z.boolean().optional(),
});

/**
 * POST .../queries/[queryId]/status {action: "finish" | "reopen", override?}: a lead confirms a query is
 * finished, or sends a finished one back to labeling. Answers `{status}`; 409 with the reason when
 * lib/queries/status refuses (not complete without override, frozen by an export).
 */
export const POST = route<{ name: string; queryId: string }>(
  "queries.finish",
  async (request, { params: { name, queryId }, user }) => {
    const parsed = statusSchema.safeParse(await jsonBody(request));
    if (!parsed.success) return jsonError(400, describeZodError(parsed.error));
    const ref = await queryRefOr404(name, queryId);
    try {
      const { action, override } = parsed.data;
      const query = action === "finish" ? await finishQuery(ref, user, { override }) : await reopenQuery(ref, user);
      return Response.json({ status: query.status });
    } catch (e) {
      if (e instanceof QueryInputError) {
        const status = e.field === "id" ? 404 : 409;
        return Response.json({ error: e.message, field: e.field }, { status });
      }
      throw e; // a PermissionError is route()'s 403
    }
  },
);
