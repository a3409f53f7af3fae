import { z } from "zod";
import { releaseHolds } from "@/lib/judgments/queue";
import { jsonError } from "../../../../../../_lib/http";
import { describeZodError, queryRefOr404 } from "../../../../../../_lib/queries";
import { route } from "../../../../../../_lib/route";

const releaseSchema = z.object({ tab: z.string().min(8).max(100) });

/**
 * POST .../queries/[queryId]/queue/release {tab}: the tab is closing; the images it held go back to
 * the annotator's other tabs at once. Sent with navigator.sendBeacon, so the body may come as text.
 */
export const POST = route<{ name: string; queryId: string }>(
  "judgments.write",
  async (request, { params: { name, queryId }, user }) => {
    const parsed = releaseSchema.safeParse(
      await request.text().then(
        (t) => JSON.parse(t),
        () => undefined,
      ),
    );
    if (!parsed.success) return jsonError(400, describeZodError(parsed.error));
    const query = await queryRefOr404(name, queryId);
    return Response.json({ released: await releaseHolds(query, user.id, parsed.data.tab) });
  },
);
