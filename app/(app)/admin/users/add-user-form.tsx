"use client";

import { useActionState } from "react";
import { Button, ErrorNote, Field, Input, inputClass } from "@/app/_components/ui";
import { ROLES } from "@/lib/auth/roles";
import { addUser, type AddUserState } from "./actions";

export function AddUserForm() {
  const [state, action, pending] = useActionState<AddUserState, FormData>(addUser, {});
  return (
    // key: a fresh, empty form after each successful add
    <form key={state.added} action={action} className="grid gap-4 sm:grid-cols-2">
      <Field label="Name" htmlFor="name">
        <Input id="name" name="name" required />
      </Field>
      <Field label="Email" htmlFor="email">
        <Input id="email" name="email" type="email" required autoComplete="off" />
      </Field>
      <Field label="Initial password" htmlFor="password" hint="At least 8 characters; share it with them privately.">
        <Input id="password" name="password" type="password" minLength={8} required autoComplete="new-password" />
      </Field>
      <Field
        label="Role"
        htmlFor="role"
        hint="Experts label; leads also manage queries and exports; admins manage accounts."
      >
        <select id="role" name="role" defaultValue="expert" className={inputClass}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </Field>
      <div className="flex items-center gap-3 sm:col-span-2">
        <Button type="submit" disabled={pending}>
          {pending ? "Adding…" : "Add user"}
        </Button>
        {state.added && (
          <p className="text-sm text-emerald-800" role="status">
            Added {state.added}.
          </p>
        )}
      </div>
      {state.error && (
        <div className="sm:col-span-2">
          <ErrorNote>{state.error}</ErrorNote>
        </div>
      )}
    </form>
  );
}
