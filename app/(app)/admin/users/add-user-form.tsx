"use client";

import { useActionState } from "react";
import { Button, ErrorNote, Field, Input, inputClass } from "@/app/_components/ui";
import { isActionError } from "@/lib/actions/result";
import type { Role } from "@/lib/auth/roles";
import { addUser } from "./actions";

/** `roles`: what the signed-in user may give (experts only for a lead). */
export function AddUserForm({ roles }: { roles: Role[] }) {
  const [state, action, pending] = useActionState(addUser, null);
  const failed = isActionError(state) ? state : null;
  const added = state && !isActionError(state) ? state.added : undefined;
  // the error beside the field it names; one that names no field (or another) under the form
  const fieldError = (name: string) => (failed?.field === name ? <ErrorNote>{failed.error}</ErrorNote> : null);
  const values = failed?.values;
  return (
    // key: a fresh, empty form after each successful add
    <form key={added} action={action} className="grid gap-4 sm:grid-cols-2">
      <Field label="Name" htmlFor="name">
        <Input id="name" name="name" required defaultValue={values?.name} />
        {fieldError("name")}
      </Field>
      <Field label="Email" htmlFor="email">
        <Input id="email" name="email" type="email" required autoComplete="off" defaultValue={values?.email} />
        {fieldError("email")}
      </Field>
      <Field label="Initial password" htmlFor="password" hint="At least 8 characters; share it with them privately.">
        <Input id="password" name="password" type="password" minLength={8} required autoComplete="new-password" />
        {fieldError("password")}
      </Field>
      <Field
        label="Role"
        htmlFor="role"
        hint="Experts judge and write queries; leads also set splits, import and add experts; admins also manage models and accounts."
      >
        <select id="role" name="role" defaultValue={values?.role ?? "expert"} className={inputClass}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        {fieldError("role")}
      </Field>
      <div className="flex items-center gap-3 sm:col-span-2">
        <Button type="submit" disabled={pending}>
          {pending ? "Adding…" : "Add user"}
        </Button>
        {added && (
          <p className="text-sm text-emerald-800" role="status">
            Added {added}.
          </p>
        )}
      </div>
      {failed && !["name", "email", "password", "role"].includes(failed.field ?? "") && (
        <div className="sm:col-span-2">
          <ErrorNote>{failed.error}</ErrorNote>
        </div>
      )}
    </form>
  );
}
