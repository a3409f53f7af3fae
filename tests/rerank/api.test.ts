import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { can, permissionMessage, type Permission } from "@/lib/auth/permissions";
import type { CurrentUser } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { startWorker } from "@/workers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { tempDir } from "../models/model-folders";
import { clipMergesFile, sharedFixturesAvailable } from "../models/shared-fixtures";
import { addQuery, createRerankFixture, judge, productTop, type RerankFixture } from "./fixture";

// The rerank-sets and splits route handlers over a real database: a lead pins (201), the build runs
// in the worker, the version reads back with its queries and items; bad input is a 400 naming what,
// a frozen version a 409, an expert a 403. The session is faked: x-test-user names who is signed in.

vi.mock("@/lib/auth/session", () => ({
  requireApiUser: async (request: Request, permission?: Permission): Promise<CurrentUser | Response> => {
    const id = request.headers.get("x-test-user");
    if (!id) return Response.json({ error: "Sign in first" }, { status: 401 });
    const role = id === "lead" ? "lead" : "expert";
    if (permission && !can({ role }, permission))
      return Response.json({ error: permissionMessage(permission) }, { status: 403 });
    return { id, email: `${id}@example.org`, name: id, role };
  },
}));

const sets = await import("@/app/api/collections/[name]/rerank-sets/route");
const version = await import("@/app/api/collections/[name]/rerank-sets/[version]/route");
const splits = await import("@/app/api/collections/[name]/splits/route");

const haveTokenizer = sharedFixturesAvailable(clipMergesFile);

function request(user: string | null, method = "GET", body?: unknown): Request {
  return new Request("http://localhost/api/collections/api-moths/rerank-sets", {
    method,
    headers: {
      ...(user && { "x-test-user": user }),
      ...(body !== undefined && { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
const params = <P>(p: P) => ({ params: Promise.resolve(p) });

describe.runIf(haveTokenizer).each(dbKinds)("rerank and splits API on %s", (kind) => {
  let t: TestDatabase;
  let f: RerankFixture;
  let worker: { stop: () => Promise<void> } | undefined;
  const dir = tempDir("fieldmark-rerank-api-");

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    f = await createRerankFixture("api-moths", dir);
    const q = await addQuery(f.collectionId, "1", "a moth resting on lichen", "finished", { supercategory: "Context" });
    await judge(
      q,
      (await productTop(f, "a moth resting on lichen")).map((r) => r.imageId),
      "not_relevant",
    );
    await addQuery(f.collectionId, "2", "a moth on bark", "labeling", { supercategory: "Context" });
    worker = await startWorker();
  }, 180_000);
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("pins, builds in the worker, and reads the version back; refuses bad input, experts and frozen versions", async () => {
    const name = { name: "api-moths" };
    expect((await sets.POST(request("ann", "POST", { model: f.model.name }), params(name))).status).toBe(403);
    const bad = await sets.POST(request("lead", "POST", { model: "" }), params(name));
    expect(bad.status).toBe(400);
    const unknown = await sets.POST(request("lead", "POST", { model: "nope" }), params(name));
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ field: "model" });

    const pinned = await sets.POST(request("lead", "POST", { model: f.model.name }), params(name));
    expect(pinned.status).toBe(201);
    const { version: v, setId } = await pinned.json();
    expect(v).toBe(1);
    const deadline = Date.now() + 60_000;
    let listed;
    do {
      await new Promise((r) => setTimeout(r, 250));
      listed = await (await sets.GET(request("lead"), params(name))).json();
    } while (listed.sets[0].build?.state !== "done" && Date.now() < deadline);
    expect(listed.sets[0]).toMatchObject({ version: 1, counts: { included: 0, "no-relevant": 1, unjudged: 0 } });

    const read = await version.GET(request("lead"), params({ ...name, version: "1" }));
    expect(read.status).toBe(200);
    const body = await read.json();
    expect(body.queries).toHaveLength(1);
    expect(body.queries[0]).toMatchObject({ queryId: "1", status: "no-relevant" });
    expect(body.queries[0].items).toHaveLength(100);
    expect((await version.GET(request("lead"), params({ ...name, version: "9" }))).status).toBe(404);
    expect((await version.GET(request("lead"), params({ ...name, version: "x" }))).status).toBe(404);

    await db().query("UPDATE rerank_sets SET frozen_at = now() WHERE id = $1", [setId]);
    const frozen = await sets.POST(request("lead", "POST", { version: 1, mode: "refresh" }), params(name));
    expect(frozen.status).toBe(409);
    expect((await frozen.json()).error).toMatch(/frozen/);
  });

  it("draws splits with the given share and seed, and says what is wrong with a bad one", async () => {
    const name = { name: "api-moths" };
    const bad = await splits.POST(request("lead", "POST", { valShare: 2 }), params(name));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/valShare/);
    expect((await splits.POST(request("ann", "POST", {}), params(name))).status).toBe(403);
    const drawn = await splits.POST(request("lead", "POST", { valShare: 0.5, seed: 1 }), params(name));
    expect(drawn.status).toBe(200);
    expect(await drawn.json()).toMatchObject({
      assigned: 2,
      val: 1,
      test: 1,
      seed: 1,
      counts: [{ supercategory: "Context", val: 1, test: 1, none: 0 }],
    });
  });
});
