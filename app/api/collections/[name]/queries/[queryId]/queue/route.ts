import { z } from "zod";
import { MAX_PAGE, nextCandidates } from "@/lib/judgments/queue";
import { requestCandidateRefill } from "@/lib/judgments/refill";
import { whoseJudgments } from "@/lib/judgments/visibility";
import { jsonError } from "../../../../../_lib/http";
import { describeZodError, jsonBody, queryRefOr404 } from "../../../../../_lib/queries";
import { route } from "../../../../../_lib/route";

const queueSchema = z.object({
  limit: z.number().int().min(1).max(MAX_PAGE).default(60),
  /** images the browser already holds: on screen, prefetched, judged but not yet acknowledged */
  exclude: z.array(z.string().max(1000)).max(5000).default([]),
  annotator: z.string().max(100).optional(),
  /** the asking browser tab: the page is held for it, so the annotator's other tabs get other images */
  tab: z.string().min(8).max(100).optional(),
});

/** The queue runs low below this many pages: ask the worker for more candidates. */
const LOW_WATER_PAGES = 3;

/**
 * POST .../queries/[queryId]/queue {limit, exclude, annotator?}: the next page of the best candidates
 * the annotator has not judged (POST because `exclude` can be long). Leads may read another's queue
 * (holding nothing for them).
 */
export const POST = route<{ name: string; queryId: string }>(
  "judgments.write",
  async (request, { params: { name, queryId }, user }) => {
    const parsed = queueSchema.safeParse((await jsonBody(request)) ?? {});
    if (!parsed.success) return jsonError(400, describeZodError(parsed.error));
    const whose = whoseJudgments(user, parsed.data.annotator);
    if ("error" in whose) return jsonError(403, whose.error);
    if (whose.annotatorId === null) return jsonError(400, "annotator: a queue is one annotator's; name one, not all");
    const query = await queryRefOr404(name, queryId, { fast: true });
    const ownQueue = whose.annotatorId === user.id;
    const page = await nextCandidates(query, whose.annotatorId, {
      ...parsed.data,
      tab: ownQueue ? parsed.data.tab : undefined,
    });
    if (page.remaining < LOW_WATER_PAGES * parsed.data.limit) {
      // In the background: the page goes out now whatever the job queue does.
      requestCandidateRefill(query.rowId, "queue-low").catch((e) =>
        console.error(`candidate refill for query ${query.rowId}: ${(e as Error).message}`),
      );
    }
    return Response.json(page);
  },
);
