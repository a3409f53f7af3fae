import type { CurrentUser, Role } from "./roles";

// Who may do what: the one table. Pages, server actions, route handlers and lib/ ask `can` (or hand a
// permission to requireUser, requireApiUser, serverAction, route); nothing else compares roles.
// Experts judge and write queries; leads also set splits, import, embed and read everyone's judgments;
// admins also manage accounts. Free of server imports, so client components may read it too.

export const PERMISSIONS = {
  /** browse collections and images, search, read queries, models and embedding progress */
  "collections.read": ["admin", "lead", "expert"],
  /** import a collection (or more images into one) and follow the import job */
  "collections.import": ["admin", "lead"],
  /** write and edit queries (all but the split) */
  "queries.write": ["admin", "lead", "expert"],
  /** put a query in the val or test split, or take it out: a lead's decision, never an annotator's */
  "queries.set-split": ["admin", "lead"],
  /** import an INQUIRE query CSV (which may set splits) */
  "queries.import": ["admin", "lead"],
  /** judge images for a query (the queue, its holds, the judgments themselves) */
  "judgments.write": ["admin", "lead", "expert"],
  /** read other annotators' judgments, queues and progress (lib/judgments/visibility's seesEveryone) */
  "judgments.read-all": ["admin", "lead"],
  /** queue embedding jobs and HNSW index builds */
  "embeddings.start": ["admin", "lead"],
  /** register an encoder from a folder on the server */
  "models.register": ["admin", "lead"],
  /** list and add accounts */
  "users.manage": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function rolesFor(permission: Permission): readonly Role[] {
  return PERMISSIONS[permission];
}

export function can(user: Pick<CurrentUser, "role"> | null | undefined, permission: Permission): boolean {
  return !!user && (PERMISSIONS[permission] as readonly Role[]).includes(user.role);
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
