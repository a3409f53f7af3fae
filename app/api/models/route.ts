import { z } from "zod";
import { ModelFolderError } from "@/lib/models/folder";
import { listModels, ModelRegistrationError, registerModel } from "@/lib/models/registry";
import { jsonError } from "../_lib/http";
import { route } from "../_lib/route";

/** GET /api/models: the registered encoders. */
export const GET = route("collections.read", async () => Response.json({ models: await listModels() }));

const registrationSchema = z.object({
  folder: z
    .string("folder: the model folder's path on the server")
    .trim()
    .min(1, "folder: the model folder's path on the server"),
  name: z.string("name: the name to use the model by").trim().min(1, "name: the name to use the model by"),
  half: z.boolean("half: true or false").default(false),
});

/**
 * POST /api/models {folder, name, half?}: registers the encoder in a folder on the server. The folder is
 * checked first; a 400 then lists every problem with it (`problems`, also in `error`).
 */
export const POST = route("models.register", async (request) => {
  const parsed = registrationSchema.safeParse(await request.json().catch(() => ({})));
  if (!parsed.success) return jsonError(400, parsed.error.issues[0].message);
  try {
    return Response.json({ model: await registerModel(parsed.data) }, { status: 201 });
  } catch (e) {
    if (e instanceof ModelFolderError)
      return Response.json({ error: e.message, problems: e.problems }, { status: 400 });
    if (e instanceof ModelRegistrationError) return jsonError(400, e.message);
    throw e;
  }
});
