// The three roles. Admins manage accounts; leads run projects; experts label.
// Kept free of server imports so client components can use it too.

import { Role as PrismaRoleEnum, type Role as PrismaRole } from "@/generated/prisma/enums";

export type Role = PrismaRole;
/** The schema's enum (admin, lead, expert), so the code and the database cannot disagree. */
export const ROLES = Object.values(PrismaRoleEnum) as [Role, ...Role[]];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export type CurrentUser = { id: string; email: string; name: string; role: Role };
