import type { z } from "zod";
import { can, permissionMessage, PermissionError, type Permission } from "@/lib/auth/permissions";
import type { CurrentUser } from "@/lib/auth/roles";
import { getCurrentUser } from "@/lib/auth/session";
import { UserInputError } from "@/lib/auth/users";
import { QueryInputError } from "@/lib/queries/queries";
import { isActionError, type ActionResult } from "./result";

export { actionError, isActionError, type ActionError, type ActionResult } from "./result";

// Every server action is made by serverAction: it checks the session and the permission, parses the
// input with zod, and answers one shape, `{ error, field? }` or the action's own value (the way
// nextjs/saas-starter's validated actions do). Forms tell the two apart with isActionError and show
// the error beside the field it names.

/** "public": no session needed (sign-in, first-run setup, sign-out); the action then gets no user. */
export type ActionPermission = Permission | "public";
type ActionUser<P extends ActionPermission> = P extends "public" ? null : CurrentUser;

/** Called directly (`saveQuery(input)`), or by useActionState and <form action> with form data. */
export type ServerAction<I, R> = {
  (input: I | FormData): Promise<ActionResult<R>>;
  (previous: unknown, input: I | FormData): Promise<ActionResult<R>>;
};

/** Errors lib/ throws for input a person can fix: their message goes back to the form. */
function inputError(e: unknown): { error: string; field?: string } | null {
  if (e instanceof UserInputError || e instanceof QueryInputError || e instanceof PermissionError)
    return { error: e.message, ...(e.field && { field: e.field }) };
  return null;
}

function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form.entries())
    if (typeof value === "string" && !/password/i.test(key) && !key.startsWith("$ACTION")) values[key] = value;
  return values;
}

export function serverAction<P extends ActionPermission, S extends z.ZodType, R>(
  permission: P,
  schema: S,
  action: (input: z.output<S>, user: ActionUser<P>) => Promise<ActionResult<R>>,
): ServerAction<z.input<S>, R> {
  return async function run(...args: unknown[]): Promise<ActionResult<R>> {
    const raw = args.length > 1 ? args[1] : args[0];
    const values = raw instanceof FormData ? formValues(raw) : undefined;
    let user: CurrentUser | null = null;
    if (permission !== "public") {
      user = await getCurrentUser();
      if (!user) return { error: "Sign in first", values };
      if (!can(user, permission)) return { error: permissionMessage(permission), values };
    }
    const parsed = schema.safeParse(raw instanceof FormData ? Object.fromEntries(raw) : raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.map(String).join(".");
      return { error: issue.message, ...(field && { field }), values };
    }
    try {
      const result = await action(parsed.data, user as ActionUser<P>);
      return isActionError(result) && values ? { ...result, values } : result;
    } catch (e) {
      // anything else (a redirect, notFound, a database error) goes on up to Next
      const known = inputError(e);
      if (known) return { ...known, values };
      throw e;
    }
  };
}
