import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boss, QUEUES, stopBoss } from "@/lib/jobs/boss";
import { requestCandidateRefill } from "@/lib/judgments/refill";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";

describe.each(dbKinds)("asking for a candidate refill on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await stopBoss({ graceful: false, timeout: 2000 });
    await t?.close();
  });

  it("queues one candidates job per query, however many ask at once", async () => {
    const asked = await Promise.all([
      requestCandidateRefill(7, "queue-low"),
      requestCandidateRefill(7, "queue-low"),
      requestCandidateRefill(7, "queue-low"),
    ]);
    expect(asked.filter(Boolean)).toHaveLength(1);
    expect(await requestCandidateRefill(8)).toEqual(expect.any(String));
    const jobs = await (await boss()).fetch<{ queryId: number; reason: string }>(QUEUES.candidates, { batchSize: 10 });
    expect(jobs.map((j) => j.data.queryId).sort()).toEqual([7, 8]);
    expect(jobs.find((j) => j.data.queryId === 7)!.data.reason).toBe("queue-low");
  });
});
