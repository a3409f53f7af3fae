import { z } from "zod";
import { db, prisma } from "@/lib/db/client";
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
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserInputError(issue.message, issue.path.map(String).join(".") || undefined);
  }
  const { email, name, password, role } = parsed.data;
  const ctx = await getAuth().$context;
  if (await ctx.internalAdapter.findUserByEmail(email))
    throw new UserInputError(`A user with the email ${email} already exists`, "email");
  const hash = await ctx.password.hash(password);
  let user;
  try {
    user = await ctx.internalAdapter.createUser({ email, name, role, emailVerified: false }, { method: "admin" });
  } catch (e) {
    // The unique index on email settles a race between two creators.
    if (await ctx.internalAdapter.findUserByEmail(email))
      throw new UserInputError(`A user with the email ${email} already exists`, "email");
    throw e;
  }
  try {
    // The same credential account better-auth's own sign-up makes.
    await ctx.internalAdapter.linkAccount({
      userId: user.id,
      providerId: "credential",
      accountId: user.id,
      password: hash,
    });
  } catch (e) {
    await ctx.internalAdapter.deleteUser(user.id).catch(() => {});
    throw e;
  }
  return { id: user.id, email: user.email, name: user.name, role, createdAt: user.createdAt };
}

/**
 * An account added by someone signed in (the users page): a lead may add experts only, an admin any
 * role (lib/auth/permissions' assignableRoles). The CLI and first-run setup call createUser directly.
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

const FIRST_ADMIN_LOCK = 7_230_115; // advisory lock: two setup submissions cannot both make an admin

/**
 * Creates the first admin, only while there are no users at all (the first-run /setup page).
 * Returns null when someone already exists.
 */
export async function createFirstAdmin(input: Omit<NewUser, "role">): Promise<UserSummary | null> {
  const client = await db().connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [FIRST_ADMIN_LOCK]);
    const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM users");
    if (rows[0].n > 0) return null;
    return await createUser({ ...input, role: "admin" });
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [FIRST_ADMIN_LOCK]).catch(() => {});
    client.release();
  }
}
