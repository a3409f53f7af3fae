import { ArchiveError, exportArchive, exportArchiveName } from "@/lib/export/archive";
import { findExport } from "@/lib/export/rows";
import { collectionOr404, jsonError } from "../../../../../_lib/http";
import { found, route } from "../../../../../_lib/route";

/**
 * GET /api/collections/[name]/exports/[exportId]/archive: the whole export as one zip. Only the files
 * the export recorded are read, each inside that export's own folder (lib/export/folder.ts).
 */
export const GET = route<{ name: string; exportId: string }>("exports.create", async (_request, { params }) => {
  const collection = await collectionOr404(params.name);
  const id = /^\d{1,9}$/.test(params.exportId) ? Number(params.exportId) : 0;
  const row = found(
    id ? await findExport(collection.id, id) : null,
    `No export ${params.exportId} of ${collection.name}`,
  );
  if (row.status !== "done")
    return jsonError(409, `export ${row.id} is ${row.status}: its archive comes once it is done`);
  const name = exportArchiveName(collection.name, row.id);
  let zip: Uint8Array;
  try {
    zip = exportArchive(row.id, name, row.checksums);
  } catch (e) {
    if (e instanceof ArchiveError) return jsonError(410, `export ${row.id}'s files are no longer all there`);
    throw e;
  }
  return new Response(Buffer.from(zip), {
    headers: {
      "content-type": "application/zip",
      "content-disposition": `attachment; filename="${name}.zip"`,
      "content-length": String(zip.byteLength),
      "cache-control": "private, no-store",
    },
  });
});
