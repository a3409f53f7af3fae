"use client";

import { useActionState } from "react";
import { Button, ErrorNote, Field, Input } from "@/app/_components/ui";
import { isActionError } from "@/lib/actions/result";
import { signIn } from "../actions";

export function SignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState(signIn, null);
  const failed = isActionError(state) ? state : null;
  return (
    <form action={action} className="space-y-4">
      <input type="hidden" name="next" value={next} />
      <Field label="Email" htmlFor="email">
        <Input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          defaultValue={failed?.values?.email}
          autoFocus
        />
        {failed?.field === "email" && <ErrorNote>{failed.error}</ErrorNote>}
      </Field>
      <Field label="Password" htmlFor="password">
        <Input id="password" name="password" type="password" autoComplete="current-password" required />
        {failed?.field === "password" && <ErrorNote>{failed.error}</ErrorNote>}
      </Field>
      {/* "Wrong email or password" names no one field */}
      {failed && failed.field !== "email" && failed.field !== "password" && <ErrorNote>{failed.error}</ErrorNote>}
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
