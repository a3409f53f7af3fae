"use client";

import { useActionState } from "react";
import { Button, ErrorNote, Field, Input } from "@/app/_components/ui";
import { isActionError } from "@/lib/actions/result";
import { setUpFirstAdmin } from "../actions";

const FIELDS = ["name", "email", "password"];

export function SetupForm() {
  const [state, action, pending] = useActionState(setUpFirstAdmin, null);
  const failed = isActionError(state) ? state : null;
  const fieldError = (name: string) => (failed?.field === name ? <ErrorNote>{failed.error}</ErrorNote> : null);
  return (
    <form action={action} className="space-y-4">
      <Field label="Name" htmlFor="name">
        <Input id="name" name="name" required defaultValue={failed?.values?.name} autoFocus />
        {fieldError("name")}
      </Field>
      <Field label="Email" htmlFor="email">
        <Input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          defaultValue={failed?.values?.email}
        />
        {fieldError("email")}
      </Field>
      <Field label="Password" htmlFor="password" hint="At least 8 characters.">
        <Input id="password" name="password" type="password" autoComplete="new-password" minLength={8} required />
        {fieldError("password")}
      </Field>
      {failed && !FIELDS.includes(failed.field ?? "") && <ErrorNote>{failed.error}</ErrorNote>}
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? "Creating…" : "Create admin account"}
      </Button>
    </form>
  );
}
