import { z } from "zod";
import { SPLITS } from "@/lib/queries/fields";
import { importInquireQueries } from "@/lib/queries/inquire-csv";
import { parseInquireQueriesCsv, QueryCsvError } from "@/lib/queries/inquire-file";
import { bodyTooLarge, BodyTooLargeError, readFormData, uploadLimit } from "../../../../_lib/body";
import { collectionOr404, jsonError } from "../../../../_lib/http";
import { describeZodError } from "../../../../_lib/queries";
import { route } from "../../../../_lib/route";

const MAX_BYTES = 5 * 1024 * 1024; // INQUIRE's 250 queries are 20 KB

const fieldsSchema = z.object({
  split: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.enum(SPLITS, { message: "split is val or test" }).optional(),
  ),
});

/**
 * POST /api/collections/[name]/queries/import (multipart: file, split?): an INQUIRE query CSV,
 * imported with its query ids. Leads and admins.
 */
export const POST = route<{ name: string }>("queries.import", async (request, { params, user }) => {
  const collection = await collectionOr404(params.name);
  let form: FormData | null;
  try {
    // the body is read no further than the limit: the file's own 5 MB, with room for the form around it
    form = await readFormData(request, uploadLimit(MAX_BYTES + 64 * 1024)).catch((e) => {
      if (e instanceof BodyTooLargeError) throw e;
      return null;
    });
  } catch (e) {
    if (e instanceof BodyTooLargeError) return bodyTooLarge(e, ": is it a query file?");
    throw e;
  }
  if (!form) return jsonError(400, "Send the CSV as multipart/form-data with a file field");
  const file = form.get("file");
  if (!(file instanceof File) || file.size === 0)
    return Response.json({ error: "Choose a CSV file", field: "file" }, { status: 400 });
  if (file.size > MAX_BYTES)
    return Response.json(
      { error: `${file.name} is larger than 5 MB; is it a query file?`, field: "file" },
      { status: 400 },
    );
  const fields = fieldsSchema.safeParse({ split: form.get("split") ?? undefined });
  if (!fields.success) return Response.json({ error: describeZodError(fields.error), field: "split" }, { status: 400 });
  try {
    const rows = parseInquireQueriesCsv(Buffer.from(await file.arrayBuffer()), file.name);
    const result = await importInquireQueries(collection.id, rows, { split: fields.data.split, editorId: user.id });
    return Response.json(result);
  } catch (e) {
    if (e instanceof QueryCsvError)
      return Response.json({ error: e.message, line: e.line, column: e.column, field: "file" }, { status: 400 });
    throw e;
  }
});
