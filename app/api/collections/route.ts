import { listCollections } from "@/lib/collections/list";
import { route } from "../_lib/route";

/** GET /api/collections: every collection with its numbers of images and taxa. */
export const GET = route("collections.read", async () => Response.json({ collections: await listCollections() }));
