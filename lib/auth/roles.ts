// The three roles. Admins manage accounts; leads run projects; experts label.
// Kept free of server imports so client components can use it too.

export const ROLES = ["admin", "lead", "expert"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export type CurrentUser = { id: string; email: string; name: string; role: Role };
