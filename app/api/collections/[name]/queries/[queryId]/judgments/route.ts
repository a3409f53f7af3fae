import { z } from "zod";
import { listJudgments } from "@/lib/judgments/list";
import { JUDGMENT_VALUES, judgmentWriteSchema, type JudgmentWrite, type WriteResult } from "@/lib/judgments/values";
import { whoseJudgments } from "@/lib/judgments/visibility";
import { applyJudgmentWrites } from "@/lib/judgments/write";
import { requestLearningRoundIfDue } from "@/lib/jobs/learning";
import { jsonError } from "../../../../../_lib/http";
import { describeZodError, jsonBody, queryRefOr404 } from "../../../../../_lib/queries";
import { route } from "../../../../../_lib/route";

type Params = { name: string; queryId: string };

const batchSchema = z.object({
  writes: z.array(z.unknown()).min(1, "writes is empty").max(200, "at most 200 writes at once"),
});

/**
 * POST .../queries/[queryId]/judgments {writes: [{clientId, imageId, value, source, timeSpentMs}]}
 * Saves the signed-in user's judgments in order; each clientId is applied once. Answers one result per
 * write: saved, duplicate (already saved earlier), or rejected with the reason. A malformed write is
 * rejected on its own; the others still count.
 */
export const POST = route<Params>("judgments.write", async (request, { params: { name, queryId }, user }) => {
  const parsed = batchSchema.safeParse(await jsonBody(request));
  if (!parsed.success) return jsonError(400, describeZodError(parsed.error));
  const query = await queryRefOr404(name, queryId, { fast: true });

  const results: (WriteResult | null)[] = [];
  const valid: JudgmentWrite[] = [];
  parsed.data.writes.forEach((raw, i) => {
    const w = judgmentWriteSchema.safeParse(raw);
    if (w.success) {
      valid.push(w.data);
      results.push(null);
    } else {
      const clientId =
        typeof (raw as { clientId?: unknown })?.clientId === "string"
          ? (raw as { clientId: string }).clientId
          : `#${i}`;
      results.push({ clientId, status: "rejected", error: `writes.${i}: ${describeZodError(w.error)}` });
    }
  });
  const applied = await applyJudgmentWrites(query, user.id, valid);
  // a full batch asks for a learning round; the answer does not wait for the asking
  if (applied.some((r) => r.status === "saved"))
    requestLearningRoundIfDue(query.rowId).catch((e) => console.error(`learning round for query ${queryId}:`, e));
  let next = 0;
  return Response.json({ results: results.map((r) => r ?? applied[next++]) });
});

const listSchema = z.object({
  annotator: z.string().max(100).optional(),
  value: z.enum(JUDGMENT_VALUES, `value is one of ${JUDGMENT_VALUES.join(", ")}`).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  offset: z.coerce.number().int().min(0).default(0),
});

/**
 * GET .../judgments?annotator=me|all|<user id>&value=&limit=&offset=: own judgments, latest change
 * first; leads may read anyone's.
 */
export const GET = route<Params>("collections.read", async (request, { params: { name, queryId }, user }) => {
  const sp = new URL(request.url).searchParams;
  const parsed = listSchema.safeParse(Object.fromEntries(sp));
  if (!parsed.success) return jsonError(400, describeZodError(parsed.error));
  const whose = whoseJudgments(user, parsed.data.annotator);
  if ("error" in whose) return jsonError(403, whose.error);
  const query = await queryRefOr404(name, queryId);
  return Response.json({
    judgments: await listJudgments(query, {
      ...whose,
      value: parsed.data.value,
      limit: parsed.data.limit,
      offset: parsed.data.offset,
    }),
  });
});
