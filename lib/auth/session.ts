import { cache } from "react";
import { headers } from "next/headers";
import { getSessionCookie } from "better-auth/cookies";
import { forbidden, redirect } from "next/navigation";
import { getAuth } from "./auth";
import { PATH_HEADER, signInPathFor } from "./paths";
import { can, permissionMessage, type Permission } from "./permissions";
import { isRole, type CurrentUser } from "./roles";

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
 * For pages: the signed-in user, or a redirect to /sign-in (coming back here afterwards); a user
 * without `permission` (lib/auth/permissions) gets the 403 page. Server actions use serverAction.
 */
export async function requireUser(permission?: Permission): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) {
    redirect(signInPathFor((await headers()).get(PATH_HEADER)));
  }
  if (permission && !can(user, permission)) forbidden();
  return user;
}

// Route handlers see the same session over and over: a grid draws 60 thumbnails, an expert sends a
// judgment every second or two. Asking better-auth each time costs a database read and a signature
// check (about 2.6 ms of CPU, more than the judgment write itself), so a session it accepted is
// remembered here for API_SESSION_MEMO_MS. The price: a session signed out or expired elsewhere stays
// usable by route handlers of this process for at most that long. Pages and server actions always ask.
const API_SESSION_MEMO_MS = 15_000;
const API_SESSION_MEMO_MAX = 10_000;
const apiSessions = new Map<string, { user: CurrentUser; until: number }>();

async function apiUserFromHeaders(h: Headers): Promise<CurrentUser | null> {
  const token = getSessionCookie(h);
  if (!token) return null;
  const now = Date.now();
  const known = apiSessions.get(token);
  if (known && known.until > now) return known.user;
  const user = await userFromHeaders(h);
  if (apiSessions.size >= API_SESSION_MEMO_MAX) apiSessions.clear();
  if (user) apiSessions.set(token, { user, until: now + API_SESSION_MEMO_MS });
  else apiSessions.delete(token);
  return user;
}

/** Forgets a remembered session at once (signing out in this process). */
export function forgetApiSession(h: Headers): void {
  const token = getSessionCookie(h);
  if (token) apiSessions.delete(token);
}

/**
 * For route handlers (app/api/_lib/route.ts calls it): the signed-in user, or a JSON error response to
 * return as is (401 when signed out, 403 without `permission`).
 */
export async function requireApiUser(request: Request, permission?: Permission): Promise<CurrentUser | Response> {
  const user = await apiUserFromHeaders(request.headers);
  if (!user) return Response.json({ error: "Sign in first" }, { status: 401 });
  if (permission && !can(user, permission)) {
    return Response.json({ error: permissionMessage(permission) }, { status: 403 });
  }
  return user;
}
