import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PATCH } from "@/app/api/collections/[name]/queries/[queryId]/route";
import { GET as listRoute, POST } from "@/app/api/collections/[name]/queries/route";
import { getAuth } from "@/lib/auth/auth";
import { PermissionError } from "@/lib/auth/permissions";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { importInquireQueries } from "@/lib/queries/inquire-csv";
import { createQuery, findQuery, updateQuery } from "@/lib/queries/queries";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";

// A query's split (val or test) is a lead's decision: an expert writes and edits queries but can never
// put one in a split or move it, through the API or lib/ itself.

process.env.BETTER_AUTH_SECRET ??= "fieldmark-test-secret-not-for-production-use";

async function cookieFor(email: string, password: string): Promise<string> {
  const { headers } = await getAuth().api.signInEmail({ body: { email, password }, returnHeaders: true });
  return headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

describe.each(dbKinds)("who sets a query's split, on %s", (kind) => {
  let t: TestDatabase;
  let collectionId: number;
  let expert: { id: string; cookie: string };
  let lead: { id: string; cookie: string };

  const send = (method: "POST" | "PATCH", cookie: string, body: unknown, queryId?: string) => {
    const url = `http://localhost/api/collections/splits/queries${queryId ? `/${queryId}` : ""}`;
    const request = new Request(url, {
      method,
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return queryId
      ? PATCH(request, { params: Promise.resolve({ name: "splits", queryId }) })
      : POST(request, { params: Promise.resolve({ name: "splits" }) });
  };

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    collectionId = (await db().query("INSERT INTO collections (name) VALUES ('splits') RETURNING id")).rows[0].id;
    const users = { expert: "eve@example.org", lead: "lou@example.org" };
    const e = await createUser({ email: users.expert, name: "Eve", password: "expert-pass", role: "expert" });
    const l = await createUser({ email: users.lead, name: "Lou", password: "lead-passw", role: "lead" });
    expert = { id: e.id, cookie: await cookieFor(users.expert, "expert-pass") };
    lead = { id: l.id, cookie: await cookieFor(users.lead, "lead-passw") };
  });
  afterAll(async () => {
    await t?.close();
  });

  it("refuses an expert's new query with a split (403, nothing saved), takes it without one", async () => {
    const refused = await send("POST", expert.cookie, { id: "q1", text: "A heron fishing", split: "test" });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: "Only leads and admins set a query's split", field: "split" });
    expect(await findQuery(collectionId, "q1")).toBeNull();

    const created = await send("POST", expert.cookie, { id: "q1", text: "A heron fishing", split: null });
    expect(created.status).toBe(201);
    expect((await created.json()).query).toMatchObject({ id: "q1", split: null, createdBy: expert.id });
  });

  it("refuses an expert's split change (403, unchanged), but lets them edit the rest, split included as it is", async () => {
    const leadSets = await send("PATCH", lead.cookie, { split: "val" }, "q1");
    expect(leadSets.status).toBe(200);
    expect((await leadSets.json()).query).toMatchObject({ split: "val", revision: 2 });

    for (const split of ["test", null]) {
      const refused = await send("PATCH", expert.cookie, { split }, "q1");
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ field: "split" });
    }
    expect(await findQuery(collectionId, "q1")).toMatchObject({ split: "val", revision: 2 });

    // the editor sends every field back, the split as it found it: that is no change of split
    const edited = await send("PATCH", expert.cookie, { text: "A grey heron fishing", split: "val" }, "q1");
    expect(edited.status).toBe(200);
    expect((await edited.json()).query).toMatchObject({ text: "A grey heron fishing", split: "val", revision: 3 });

    const leadCreates = await send("POST", lead.cookie, { id: "q2", text: "An egret", split: "test" });
    expect(leadCreates.status).toBe(201);
    expect((await leadCreates.json()).query).toMatchObject({ id: "q2", split: "test" });
  });

  it("enforces it in lib/queries, whoever calls: an expert is refused, a lead and a script (no editor) are not", async () => {
    await expect(createQuery(collectionId, { text: "Via lib", split: "val" }, expert.id)).rejects.toThrow(
      PermissionError,
    );
    await expect(updateQuery(collectionId, "q1", { split: "test" }, expert.id)).rejects.toThrow(PermissionError);
    await expect(
      importInquireQueries(
        collectionId,
        [
          {
            line: 2,
            index: "0",
            queryId: "q3",
            text: "Imported",
            supercategory: null,
            category: null,
            iconicGroup: null,
          },
        ],
        { split: "val", editorId: expert.id },
      ),
    ).rejects.toThrow(PermissionError);
    expect(await findQuery(collectionId, "q3")).toBeNull();

    expect((await updateQuery(collectionId, "q1", { split: "test" }, lead.id)).split).toBe("test");
    expect((await updateQuery(collectionId, "q1", { split: null }, null)).split).toBeNull();
  });

  it("answers a collection that is not there with a 404, not a throw", async () => {
    const res = await listRoute(
      new Request("http://localhost/api/collections/nope/queries", { headers: { cookie: expert.cookie } }),
      {
        params: Promise.resolve({ name: "nope" }),
      },
    );
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "No collection named nope" });
    const patch = await PATCH(
      new Request("http://localhost/api/collections/splits/queries/none", {
        method: "PATCH",
        headers: { cookie: expert.cookie },
        body: JSON.stringify({ text: "x" }),
      }),
      { params: Promise.resolve({ name: "splits", queryId: "none" }) },
    );
    expect(patch.status).toBe(404);
    expect(await patch.json()).toEqual({ error: "No query none in this collection", field: "id" });
  });
});
