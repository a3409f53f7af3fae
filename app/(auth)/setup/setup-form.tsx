"use client";

import { useActionState } from "react";
import { Button, ErrorNote, Field, Input } from "@/app/_components/ui";
import { setUpFirstAdmin, type AuthFormState } from "../actions";

export function SetupForm() {
  const [state, action, pending] = useActionState<AuthFormState, FormData>(setUpFirstAdmin, {});
  return (
    <form action={action} className="space-y-4">
      <Field label="Name" htmlFor="name">
        <Input id="name" name="name" required defaultValue={state.name} autoFocus />
      </Field>
      <Field label="Email" htmlFor="email">
        <Input id="email" name="email" type="email" autoComplete="username" required defaultValue={state.email} />
      </Field>
      <Field label="Password" htmlFor="password" hint="At least 8 characters.">
        <Input id="password" name="password" type="password" autoComplete="new-password" minLength={8} required />
      </Field>
      {state.error && <ErrorNote>{state.error}</ErrorNote>}
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? "Creating…" : "Create admin account"}
      </Button>
    </form>
  );
}
