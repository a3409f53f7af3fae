import { databaseKind, db } from "@/lib/db/client";
import { route } from "../_lib/route";

// No sign-in needed: the start command and monitors poll it.
export const dynamic = "force-dynamic";

export const GET = route("public", async () => {
  const database = databaseKind();
  try {
    await db().query("SELECT 1");
  } catch (e) {
    return Response.json({ ok: false, database, error: (e as Error).message }, { status: 503 });
  }
  return Response.json({ ok: true, database });
});
