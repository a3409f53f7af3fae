import { describe, expect, it } from "vitest";
import {
  assignableRoles,
  can,
  PERMISSIONS,
  permissionMessage,
  rolesFor,
  type Permission,
} from "@/lib/auth/permissions";
import { ROLES } from "@/lib/auth/roles";
import { seesEveryone } from "@/lib/judgments/visibility";

// The one table of who may do what, as the app has it.

const who = (permission: Permission) => ROLES.filter((role) => can({ role }, permission));

describe("the permission table", () => {
  it("gives experts judging and query writing, leads splits, imports and experts, admins models and accounts", () => {
    expect(who("collections.read")).toEqual(["admin", "lead", "expert"]);
    expect(who("queries.write")).toEqual(["admin", "lead", "expert"]);
    expect(who("judgments.write")).toEqual(["admin", "lead", "expert"]);
    expect(who("queries.set-split")).toEqual(["admin", "lead"]);
    expect(who("queries.import")).toEqual(["admin", "lead"]);
    expect(who("collections.import")).toEqual(["admin", "lead"]);
    expect(who("judgments.read-all")).toEqual(["admin", "lead"]);
    expect(who("experts.manage")).toEqual(["admin", "lead"]);
    expect(who("embeddings.start")).toEqual(["admin"]);
    expect(who("models.register")).toEqual(["admin"]);
    expect(who("users.manage")).toEqual(["admin"]);
  });

  it("keeps a lead's benchmark work from experts: overlap samples, adjudication, rerank sets, exports, runs", () => {
    for (const p of [
      "benchmark.read",
      "agreement.assign",
      "judgments.adjudicate",
      "rerank.manage",
      "exports.create",
      "eval.run",
    ] as const)
      expect(who(p), p).toEqual(["admin", "lead"]);
    expect(who("eval.read")).toEqual(["admin", "lead", "expert"]);
  });

  it("lets leads give new accounts the expert role only", () => {
    expect(assignableRoles({ role: "admin" })).toEqual(ROLES);
    expect(assignableRoles({ role: "lead" })).toEqual(["expert"]);
    expect(assignableRoles({ role: "expert" })).toEqual([]);
    expect(assignableRoles(null)).toEqual([]);
  });

  it("refuses everything to no one signed in", () => {
    for (const permission of Object.keys(PERMISSIONS) as Permission[]) {
      expect(can(null, permission)).toBe(false);
      expect(can(undefined, permission)).toBe(false);
    }
  });

  it("says which roles a refusal needs", () => {
    expect(permissionMessage("users.manage")).toBe("This needs the admin role");
    expect(permissionMessage("queries.set-split")).toBe("This needs the admin or lead role");
  });

  it("stays consistent with what lib/ decides on its own", () => {
    // a query CSV import may set every row's split, so whoever may import may set splits
    for (const role of rolesFor("queries.import")) expect(rolesFor("queries.set-split")).toContain(role);
    // lib/judgments/visibility decides whose judgments a user reads
    for (const role of ROLES) expect(seesEveryone(role)).toBe(can({ role }, "judgments.read-all"));
  });
});
