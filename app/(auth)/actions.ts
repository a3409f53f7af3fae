"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { isAPIError } from "better-auth/api";
import { z } from "zod";
import { getAuth } from "@/lib/auth/auth";
import { safeNextPath } from "@/lib/auth/paths";
import { forgetApiSession } from "@/lib/auth/session";
import { createFirstAdmin, UserInputError } from "@/lib/auth/users";

export type AuthFormState = { error?: string; email?: string; name?: string };

const signInSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address")),
  password: z.string().min(1, "Enter your password").max(128),
});

export async function signIn(_prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  const email = String(form.get("email") ?? "");
  const parsed = signInSchema.safeParse({ email, password: form.get("password") });
  if (!parsed.success) return { error: parsed.error.issues[0].message, email };
  try {
    // nextCookies() (lib/auth/auth.ts) sets the session cookie on this action's response.
    await getAuth().api.signInEmail({ body: parsed.data, headers: await headers() });
  } catch (e) {
    if (isAPIError(e)) return { error: "Wrong email or password", email };
    throw e;
  }
  redirect(safeNextPath(form.get("next")));
}

export async function signOut(): Promise<void> {
  const h = await headers();
  forgetApiSession(h);
  await getAuth().api.signOut({ headers: h });
  redirect("/sign-in");
}

const setupSchema = z.object({ name: z.string(), email: z.string(), password: z.string() });

/** First run only: makes the first admin and signs them in. Refused once any account exists. */
export async function setUpFirstAdmin(_prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  const input = setupSchema.parse({
    name: form.get("name") ?? "",
    email: form.get("email") ?? "",
    password: form.get("password") ?? "",
  });
  const echo = { email: input.email, name: input.name };
  try {
    const admin = await createFirstAdmin(input);
    if (!admin) redirect("/sign-in");
    await getAuth().api.signInEmail({
      body: { email: admin.email, password: input.password },
      headers: await headers(),
    });
  } catch (e) {
    if (e instanceof UserInputError) return { error: e.message, ...echo };
    throw e;
  }
  redirect("/collections");
}
