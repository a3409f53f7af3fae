import { cache } from "react";
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { getAuth } from "./auth";
import { PATH_HEADER, signInPathFor } from "./paths";
import { isRole, type CurrentUser, type Role } from "./roles";

// Every page, server action and route handler asks here who is signed in. proxy.ts only turns
// cookie-less visitors away early; these checks are the real ones.

async function userFromHeaders(h: Headers): Promise<CurrentUser | null> {
  const session = await getAuth().api.getSession({ headers: h });
  if (!session) return null;
  const u = session.user as typeof session.user & { role?: unknown };
  return { id: u.id, email: u.email, name: u.name, role: isRole(u.role) ? u.role : "expert" };
}

/** The signed-in user, or null. Cached for the length of one request. */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => userFromHeaders(await headers()));

/**
 * For pages and server actions: the signed-in user, or a redirect to /sign-in (coming back here
 * afterwards); a user without one of `roles` gets the 403 page.
 */
export async function requireUser(roles?: readonly Role[]): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) {
    redirect(signInPathFor((await headers()).get(PATH_HEADER)));
  }
  if (roles && !roles.includes(user.role)) forbidden();
  return user;
}

/**
 * For route handlers: the signed-in user, or a JSON error response to return as is
 * (401 when signed out, 403 for the wrong role).
 *
 *   const user = await requireApiUser(request);
 *   if (user instanceof Response) return user;
 */
export async function requireApiUser(request: Request, roles?: readonly Role[]): Promise<CurrentUser | Response> {
  const user = await userFromHeaders(request.headers);
  if (!user) return Response.json({ error: "Sign in first" }, { status: 401 });
  if (roles && !roles.includes(user.role)) {
    return Response.json({ error: `This needs the ${roles.join(" or ")} role` }, { status: 403 });
  }
  return user;
}
