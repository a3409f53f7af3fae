import { randomUUID } from "node:crypto";
import { POST } from "@/app/api/collections/[name]/queries/[queryId]/judgments/route";
import { getAuth } from "@/lib/auth/auth";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { httpSender, JudgmentOutbox, memoryOutbox } from "@/lib/judgments/outbox";
import { addImages } from "../helpers/judging";
import { seedCollection } from "../helpers/seed";

// An expert judging through the real write path while the database goes away: the browser's outbox
// (lib/judgments/outbox.ts) with its httpSender, whose requests reach the judgments route handler
// in this process (signed in with a real better-auth session cookie), as the web server would pass them.

process.env.BETTER_AUTH_SECRET ??= "fieldmark-test-secret-not-for-production-use";

export const QUERY = "q-faults";

export type Judging = { collection: string; imageIds: string[]; cookie: string };

/** An expert, a collection of `images` candidates and a query, in the database the clients point at. */
export async function seedJudging(imagesRoot: string, images: number): Promise<Judging> {
  await createUser({ email: "judge@example.org", name: "Judge", password: "judge-password-1", role: "expert" });
  const collection = await seedCollection(imagesRoot);
  const imageIds = await addImages(collection, images, { prefix: "fault" });
  await db().query("INSERT INTO queries (collection_id, source_id, text) VALUES ($1, $2, 'an eagle in flight')", [
    collection.id,
    QUERY,
  ]);
  const { headers } = await getAuth().api.signInEmail({
    body: { email: "judge@example.org", password: "judge-password-1" },
    returnHeaders: true,
  });
  const cookie = headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return { collection: collection.name, imageIds, cookie };
}

/** The outbox an expert's browser keeps, sending to the route handler; `acked` holds each acknowledged clientId. */
export function expertOutbox(judging: Judging) {
  const acked = new Set<string>();
  const outcomes = { unavailable: 0 };
  const send = httpSender(async (input, init) => {
    const url = new URL(String(input), "http://127.0.0.1:3000");
    const [, , , name, , queryId] = url.pathname.split("/").map(decodeURIComponent);
    const request = new Request(url, {
      ...init,
      headers: {
        ...(init?.headers as Record<string, string>),
        cookie: judging.cookie,
        "sec-fetch-site": "same-origin",
      },
    });
    const res = await POST(request, { params: Promise.resolve({ name, queryId }) });
    if (!res.ok) outcomes.unavailable++;
    return res;
  });
  const outbox = new JudgmentOutbox(memoryOutbox(), send);
  outbox.onAcknowledged((_target, items) => {
    for (const i of items) acked.add(i.clientId);
  });
  /** One key press: a judgment of the image, stored in the outbox before anything is sent. */
  const judge = (imageId: string, value: "relevant" | "not_relevant" = "relevant") => {
    const clientId = randomUUID();
    outbox.add({
      collection: judging.collection,
      queryId: QUERY,
      clientId,
      imageId,
      value,
      source: null,
      timeSpentMs: 900,
    });
    return clientId;
  };
  return { outbox, acked, outcomes, judge };
}

/** Per clientId, how many judgment events the database holds (each must be 1), and the judgments rows. */
export async function storedJudgments(): Promise<{ events: Map<string, number>; judgments: number }> {
  const e = await db().query("SELECT client_id, count(*)::int AS n FROM judgment_events GROUP BY client_id");
  const j = await db().query("SELECT count(*)::int AS n FROM judgments");
  return { events: new Map(e.rows.map((r) => [r.client_id, r.n])), judgments: j.rows[0].n };
}
