import { exportJson } from "@/lib/export/rows";
import { exportStatus } from "@/lib/jobs/export";
import { collectionOr404 } from "../../../../_lib/http";
import { found, route } from "../../../../_lib/route";

/** GET /api/collections/[name]/exports/[exportId]: one export's state, progress, files and left-out list. */
export const GET = route<{ name: string; exportId: string }>("exports.create", async (_request, { params }) => {
  const collection = await collectionOr404(params.name);
  const id = /^\d{1,9}$/.test(params.exportId) ? Number(params.exportId) : 0;
  const row = found(
    id ? await exportStatus(collection.id, id) : null,
    `No export ${params.exportId} of ${collection.name}`,
  );
  return Response.json(exportJson(row));
});
