// Shared by proxy.ts and the session checks; free of server-only imports so the proxy stays small.

export const SIGN_IN_PATH = "/sign-in";
export const SETUP_PATH = "/setup";

/** Set by proxy.ts on every request, so a page can send a signed-out visitor back after sign-in. */
export const PATH_HEADER = "x-fieldmark-path";

/** Pages anyone may open. Everything else needs a session. */
export function isPublicPage(pathname: string): boolean {
  return pathname === SIGN_IN_PATH || pathname === SETUP_PATH;
}

/** A safe place to return to after sign-in: a path on this site, never another origin. */
export function safeNextPath(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\"))
    return "/";
  return value;
}

export function signInPathFor(next: string | null | undefined): string {
  return next && next !== "/" ? `${SIGN_IN_PATH}?next=${encodeURIComponent(safeNextPath(next))}` : SIGN_IN_PATH;
}
