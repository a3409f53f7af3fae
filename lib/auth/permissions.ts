import { ROLES, type CurrentUser, type Role } from "./roles";

// Who may do what: the one table. Pages, server actions, route handlers and lib/ ask `can` (or hand a
// permission to requireUser, requireApiUser, serverAction, route); nothing else compares roles.
// Experts judge and write queries; leads also set and freeze splits, import, read everyone's judgments,
// send overlap samples and adjudicate, build rerank sets, export, run evaluations and add expert
// accounts; admins also
// manage models (registering them, embedding collections with them, their indexes) and accounts.
// tests/access walks every page, route handler and server action as each role against this table.
// Free of server imports, so client components may read it too.

export const PERMISSIONS = {
  /** browse collections and images, search, read queries, models and embedding progress */
  "collections.read": ["admin", "lead", "expert"],
  /** import a collection (or more images into one) and follow the import job */
  "collections.import": ["admin", "lead"],
  /** write and edit queries (all but the split) */
  "queries.write": ["admin", "lead", "expert"],
  /** put a query in the val or test split, or take it out: a lead's decision, never an annotator's */
  "queries.set-split": ["admin", "lead"],
  /** confirm that a query that looks complete is finished, or reopen a finished one: a lead's call */
  "queries.finish": ["admin", "lead"],
  /** import an INQUIRE query CSV (which may set splits) */
  "queries.import": ["admin", "lead"],
  /** judge images for a query (the queue, its holds, the judgments themselves) */
  "judgments.write": ["admin", "lead", "expert"],
  /** read other annotators' judgments, queues and progress (lib/judgments/visibility's seesEveryone) */
  "judgments.read-all": ["admin", "lead"],
  /** the coverage dashboard and agreement numbers: how far the benchmark is */
  "benchmark.read": ["admin", "lead"],
  /** send a blind overlap sample of a query's judged images to a second expert */
  "agreement.assign": ["admin", "lead"],
  /** give the final label where annotators disagree or said unsure (the adjudication queue) */
  "judgments.adjudicate": ["admin", "lead"],
  /** pin a model for a rerank set and build it */
  "rerank.manage": ["admin", "lead"],
  /** export a collection's benchmark files (which freezes splits and rerank sets) and download them */
  "exports.create": ["admin", "lead"],
  /** score a model's ranking inside the tool, import a run made elsewhere, write a report */
  "eval.run": ["admin", "lead"],
  /** read evaluation runs, their comparison and the PoC report */
  "eval.read": ["admin", "lead", "expert"],
  /** queue embedding jobs and HNSW index builds: managing models, an admin's */
  "embeddings.start": ["admin"],
  /** register an encoder from a folder on the server: managing models, an admin's */
  "models.register": ["admin"],
  /** list the accounts and add expert accounts */
  "experts.manage": ["admin", "lead"],
  /** add accounts of any role (leads and admins too) */
  "users.manage": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function rolesFor(permission: Permission): readonly Role[] {
  return PERMISSIONS[permission];
}

export function can(user: Pick<CurrentUser, "role"> | null | undefined, permission: Permission): boolean {
  return !!user && (PERMISSIONS[permission] as readonly Role[]).includes(user.role);
}

/** The roles `user` may give a new account: any with users.manage, experts only with experts.manage. */
export function assignableRoles(user: Pick<CurrentUser, "role"> | null | undefined): Role[] {
  if (can(user, "users.manage")) return [...ROLES];
  return can(user, "experts.manage") ? ["expert"] : [];
}

/** "This needs the admin or lead role": what a refusal says. */
export function permissionMessage(permission: Permission): string {
  return `This needs the ${rolesFor(permission).join(" or ")} role`;
}

/** Thrown by lib/ when the caller may not do what they asked (route handlers answer 403). */
export class PermissionError extends Error {
  constructor(
    readonly permission: Permission,
    message = permissionMessage(permission),
    readonly field?: string,
  ) {
    super(message);
    this.name = "PermissionError";
  }
}
