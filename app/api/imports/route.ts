import { saveUpload, UploadError } from "@/lib/collections/uploads";
import { checkImagesRoot, checkSourcePath, ImageAccessError } from "@/lib/images/allowed-roots";
import { enqueueImport, importJobSchema } from "@/lib/jobs/imports";
import { bodyTooLarge, BodyTooLargeError, readFormData, readJson } from "../_lib/body";
import { jsonError } from "../_lib/http";
import { route } from "../_lib/route";

// POST /api/imports: queue an import of a file already on the server (`source`), or of an uploaded
// train.json/CSV (`file`), into `collection`. Answers with the job id to poll.
export const POST = route("collections.import", async (request, { user }) => {
  let fields: Record<string, unknown>;
  let file: File | null = null;
  // read no further than FIELDMARK_MAX_UPLOAD_BYTES: a bigger body is refused with 413 before anything is saved
  try {
    if ((request.headers.get("content-type") ?? "").includes("multipart/form-data")) {
      const form = await readFormData(request).catch((e) => {
        if (e instanceof BodyTooLargeError) throw e;
        return null;
      });
      if (!form) return jsonError(400, "The upload is not a readable multipart/form-data body");
      const f = form.get("file");
      file = f instanceof File && f.size > 0 ? f : null;
      fields = Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string" && v.trim() !== ""));
    } else {
      fields = ((await readJson(request).catch((e) => {
        if (e instanceof BodyTooLargeError) throw e;
        return {};
      })) ?? {}) as Record<string, unknown>;
    }
  } catch (e) {
    if (e instanceof BodyTooLargeError) return bodyTooLarge(e, ": import bigger files with `fieldmark import`");
    throw e;
  }
  try {
    if (file) {
      if (!fields.imagesRoot) {
        return Response.json(
          {
            error: "An uploaded file needs an images root: the folder or http(s) URL its file names are relative to",
            field: "imagesRoot",
          },
          { status: 400 },
        );
      }
    }
    // a lead may name only what the admin allowed (FIELDMARK_IMAGE_ROOTS), never the data folder; checked
    // before anything is saved or queued, and the worker checks again when it runs
    const refused = (field: string, e: unknown) => {
      if (e instanceof ImageAccessError) return Response.json({ error: e.publicMessage, field }, { status: 400 });
      throw e;
    };
    try {
      if (typeof fields.imagesRoot === "string") checkImagesRoot(fields.imagesRoot, { via: "web" });
    } catch (e) {
      return refused("imagesRoot", e);
    }
    if (file) fields.source = await saveUpload(file);
    else if (typeof fields.source === "string") {
      try {
        checkSourcePath(fields.source, "web");
      } catch (e) {
        return refused("source", e);
      }
    }
    const parsed = importJobSchema.safeParse({ ...fields, requestedBy: user.id });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return Response.json({ error: issue.message, field: issue.path.join(".") }, { status: 400 });
    }
    const jobId = await enqueueImport(parsed.data);
    return Response.json({ jobId }, { status: 202 });
  } catch (e) {
    if (e instanceof UploadError) return Response.json({ error: e.message, field: "file" }, { status: 400 });

    throw e;
  }
});
