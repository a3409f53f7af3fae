import { z } from "zod";
import { requireApiUser } from "@/lib/auth/session";
import { releaseHolds } from "@/lib/judgments/queue";
import { jsonError } from "../../../../../../_lib/http";
import { describeZodError, queryRefOr404 } from "../../../../../../_lib/queries";

const releaseSchema = z.object({ tab: z.string().min(8).max(100) });

/**
 * POST .../queries/[queryId]/queue/release {tab}: the tab is closing; the images it held go back to
 * the annotator's other tabs at once. Sent with navigator.sendBeacon, so the body may come as text.
 */
export async function POST(request: Request, { params }: { params: Promise<{ name: string; queryId: string }> }) {
  const user = await requireApiUser(request);
  if (user instanceof Response) return user;
  const { name, queryId } = await params;
  const parsed = releaseSchema.safeParse(
    await request.text().then(
      (t) => JSON.parse(t),
      () => undefined,
    ),
  );
  if (!parsed.success) return jsonError(400, describeZodError(parsed.error));
  const query = await queryRefOr404(name, queryId);
  if (query instanceof Response) return query;
  return Response.json({ released: await releaseHolds(query, user.id, parsed.data.tab) });
}
