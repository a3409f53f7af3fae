import { z } from "zod";
import { EvalInputError } from "@/lib/eval/csv-table";
import { importRunUpload } from "@/lib/eval/import-run";
import { MAX_RUN_K } from "@/lib/eval/run-request";
import { findRerankSet } from "@/lib/rerank/read";
import { bodyTooLarge, BodyTooLargeError, readFormData, uploadLimit } from "../../../../_lib/body";
import { collectionOr404, jsonError } from "../../../../_lib/http";
import { route } from "../../../../_lib/route";

const MAX_BYTES = 50 * 1024 * 1024; // 250 queries x 1,000 ranked images is about 8 MB

const fieldsSchema = z.object({
  name: z.string().trim().min(1, "Name the model that made the run").max(200),
  k: z.coerce.number().int().min(1).max(MAX_RUN_K).default(50),
  rerankSet: z.preprocess(
    (v) => (v === "" || v === null ? undefined : v),
    z.coerce.number().int().positive().optional(),
  ),
});

/**
 * POST /api/collections/[name]/runs/import (multipart: file, name, k?, rerankSet?): a run made elsewhere
 * (query_id,image_id,score with the ids users see), scored now and kept beside the in-tool runs.
 */
export const POST = route<{ name: string }>("eval.run", async (request, { params, user }) => {
  const collection = await collectionOr404(params.name);
  let form: FormData | null;
  try {
    form = await readFormData(request, uploadLimit(MAX_BYTES + 64 * 1024)).catch((e) => {
      if (e instanceof BodyTooLargeError) throw e;
      return null;
    });
  } catch (e) {
    if (e instanceof BodyTooLargeError) return bodyTooLarge(e, ": is it a run file?");
    throw e;
  }
  if (!form) return jsonError(400, "Send the run as multipart/form-data with a file field");
  const file = form.get("file");
  if (!(file instanceof File) || file.size === 0)
    return Response.json({ error: "Choose a run CSV file", field: "file" }, { status: 400 });
  const fields = fieldsSchema.safeParse({
    name: form.get("name") ?? "",
    k: form.get("k") ?? undefined,
    rerankSet: form.get("rerankSet") ?? undefined,
  });
  if (!fields.success) {
    const issue = fields.error.issues[0];
    return Response.json({ error: issue.message, field: issue.path.join(".") }, { status: 400 });
  }
  const set = fields.data.rerankSet ? await findRerankSet(collection.id, fields.data.rerankSet) : null;
  if (fields.data.rerankSet && !set)
    return Response.json(
      { error: `No rerank set version ${fields.data.rerankSet}`, field: "rerankSet" },
      { status: 400 },
    );
  try {
    const result = await importRunUpload(new Uint8Array(await file.arrayBuffer()), file.name, {
      collectionId: collection.id,
      modelName: fields.data.name,
      rerankSetId: set?.id ?? null,
      k: fields.data.k,
      command: `import of ${file.name} as "${fields.data.name}" (k = ${fields.data.k}${set ? `, rerank set v${set.version}` : ""}) from the runs page`,
      createdBy: user.id,
    });
    return Response.json(result);
  } catch (e) {
    if (e instanceof EvalInputError)
      return Response.json({ error: e.message, line: e.line, column: e.column, field: "file" }, { status: 400 });
    throw e;
  }
});
