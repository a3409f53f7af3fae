"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { isAPIError } from "better-auth/api";
import { z } from "zod";
import { actionError, serverAction } from "@/lib/actions/server-action";
import { getAuth } from "@/lib/auth/auth";
import { safeNextPath } from "@/lib/auth/paths";
import { consumeSignInAttempt } from "@/lib/auth/rate-limit";
import { createFirstAdmin, newUserSchema } from "@/lib/auth/users";

// Signed-out actions ("public"): signing in, the first-run setup, and signing out.

const signInSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address")),
  password: z.string().min(1, "Enter your password").max(128),
  next: z.unknown(),
});

export const signIn = serverAction("public", signInSchema, async ({ email, password, next }) => {
  const h = await headers();
  // Calling better-auth directly skips its rate limiter, so the attempt is counted here, against the
  // same per-client allowance as /api/auth/sign-in/email.
  const attempt = await consumeSignInAttempt(h, getAuth().options);
  if (!attempt.allowed)
    return actionError(`Too many sign-in attempts from here: try again in ${attempt.retryAfter} seconds`);
  try {
    // nextCookies() (lib/auth/auth.ts) sets the session cookie on this action's response.
    await getAuth().api.signInEmail({ body: { email, password }, headers: h });
  } catch (e) {
    if (isAPIError(e)) return actionError("Wrong email or password");
    throw e;
  }
  redirect(safeNextPath(next));
});

const endSession = serverAction("public", z.unknown(), async () => {
  // Deletes the session row: every web process refuses the cookie from the next request on
  // (lib/auth/session.ts looks the row up even for a session it remembers).
  await getAuth().api.signOut({ headers: await headers() });
  redirect("/sign-in");
});

// A plain <form action={signOut}> (the site header) wants a function that answers nothing; sign-out
// has nothing to say anyway: it ends the session and redirects.
export async function signOut(): Promise<void> {
  await endSession(undefined);
}

/** First run only: makes the first admin and signs them in. Refused once any account exists. */
export const setUpFirstAdmin = serverAction("public", newUserSchema.omit({ role: true }), async (input) => {
  const admin = await createFirstAdmin(input);
  if (!admin) redirect("/sign-in");
  await getAuth().api.signInEmail({ body: { email: admin.email, password: input.password }, headers: await headers() });
  redirect("/collections");
});
