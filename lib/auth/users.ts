import crypto from "node:crypto";
import type pg from "pg";
import { z } from "zod";
import { prisma } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import { getAuth } from "./auth";
import { assignableRoles, can, PermissionError } from "./permissions";
import { ROLES, type CurrentUser, type Role } from "./roles";

// Accounts are created here and nowhere else: by an admin in the UI, by the first-run /setup page,
// and by `fieldmark users add`. Passwords are hashed by better-auth itself, so sign-in verifies them.

/** Input a person can fix; `field` names the form field at fault when there is one. */
export class UserInputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "UserInputError";
  }
}

export const newUserSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address")),
  name: z.string().trim().min(1, "Enter a name").max(200),
  password: z
    .string()
    .min(8, "The password must be at least 8 characters")
    .max(128, "The password must be at most 128 characters"),
  role: z.enum(ROLES, { message: `The role must be one of ${ROLES.join(", ")}` }),
});

export type NewUser = z.input<typeof newUserSchema>;
export type UserSummary = { id: string; email: string; name: string; role: Role; createdAt: Date };

export async function createUser(input: NewUser): Promise<UserSummary> {
  const user = await prepareUser(input);
  try {
    return await inTransaction(async (client) => {
      if ((await client.query("SELECT 1 FROM users WHERE email = $1", [user.email])).rowCount)
        throw emailTaken(user.email);
      return insertUser(client, user);
    });
  } catch (e) {
    // The unique index on email settles a race between two creators.
    if ((e as { code?: string }).code === "23505" && (e as { constraint?: string }).constraint === "users_email_key")
      throw emailTaken(user.email);
    throw e;
  }
}

type PreparedUser = { email: string; name: string; role: Role; hash: string };

const emailTaken = (email: string) => new UserInputError(`A user with the email ${email} already exists`, "email");

/** Checks the input and hashes the password with better-auth's own hasher (before any transaction: it is slow). */
async function prepareUser(input: NewUser): Promise<PreparedUser> {
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserInputError(issue.message, issue.path.map(String).join(".") || undefined);
  }
  const { email, name, password, role } = parsed.data;
  const ctx = await getAuth().$context;
  return { email, name, role, hash: await ctx.password.hash(password) };
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** An id as better-auth makes them: 32 letters and digits. */
function newId(): string {
  const bytes = crypto.randomBytes(32);
  return Array.from(bytes, (b) => ID_ALPHABET[b % ID_ALPHABET.length]).join("");
}

/**
 * The user row and its credential account (the rows better-auth's own sign-up makes, which its sign-in
 * reads), on the caller's transaction, so an account never exists without its password.
 */
async function insertUser(client: pg.ClientBase, user: PreparedUser): Promise<UserSummary> {
  const id = newId();
  const { rows } = await client.query<UserSummary>(
    `INSERT INTO users (id, email, name, email_verified, role) VALUES ($1, $2, $3, false, $4)
     RETURNING id, email, name, role, created_at AS "createdAt"`,
    [id, user.email, user.name, user.role],
  );
  await client.query(
    "INSERT INTO accounts (id, account_id, provider_id, user_id, password) VALUES ($1, $2, 'credential', $2, $3)",
    [newId(), id, user.hash],
  );
  return rows[0];
}

/**
 * An account added by someone signed in (the users page): a lead may add experts only, an admin any
 * role (lib/auth/permissions' assignableRoles). The CLI calls createUser directly, first-run setup createFirstAdmin.
 */
export async function createUserAs(actor: Pick<CurrentUser, "role">, input: NewUser): Promise<UserSummary> {
  if (!can(actor, "experts.manage")) throw new PermissionError("experts.manage");
  if (!(assignableRoles(actor) as string[]).includes(input.role))
    throw new PermissionError("users.manage", `Only an admin adds ${input.role} accounts`, "role");
  return createUser(input);
}

export async function countUsers(): Promise<number> {
  return prisma().user.count();
}

export async function listUsers(): Promise<UserSummary[]> {
  return prisma().user.findMany({
    select: { id: true, email: true, name: true, role: true, createdAt: true },
    orderBy: { createdAt: "asc" },
  });
}

/**
 * Creates the first admin, only while there are no users at all (the first-run /setup page).
 * Returns null when someone already exists.
 *
 * Two setups at once make one admin, on both databases: the count and the insert are one transaction
 * that first locks the users table against writers (SHARE ROW EXCLUSIVE: reads go on, a second setup
 * waits, then counts one). An advisory lock would not do: on the embedded PGlite every connection is
 * one database session, so it excludes nobody there.
 */
export async function createFirstAdmin(input: Omit<NewUser, "role">): Promise<UserSummary | null> {
  if ((await countUsers()) > 0) return null; // no password hashing for a page reloaded after setup
  const user = await prepareUser({ ...input, role: "admin" });
  return inTransaction(async (client) => {
    await client.query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE");
    const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM users");
    if (rows[0].n > 0) return null;
    return insertUser(client, user);
  });
}
