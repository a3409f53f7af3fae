// Shared by proxy.ts and the session checks; free of server-only imports so the proxy stays small.

export const SIGN_IN_PATH = "/sign-in";
export const SETUP_PATH = "/setup";

/** Set by proxy.ts on every request, so a page can send a signed-out visitor back after sign-in. */
export const PATH_HEADER = "x-fieldmark-path";

/** Pages anyone may open. Everything else needs a session. */
export function isPublicPage(pathname: string): boolean {
  return pathname === SIGN_IN_PATH || pathname === SETUP_PATH;
}

const SAFE_NEXT_MAX = 2048;
/** control characters (tabs, newlines, NUL, DEL) and backslashes, which browsers may read as "/" */
const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f\\]/;
/** the same, percent-encoded (at any depth: %5C, %255C, ...) */
const UNSAFE_ENCODED = /%(?:25)*(?:[01][0-9a-f]|7f|5c)/i;

/** Decodes %XX escapes until nothing changes (or a malformed escape stops it). */
function fullyDecoded(value: string): string {
  let current = value;
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

function staysOnSite(value: string): boolean {
  if (!value.startsWith("/") || value.startsWith("//")) return false;
  try {
    return new URL(value, "http://fieldmark.invalid").origin === "http://fieldmark.invalid";
  } catch {
    return false;
  }
}

/**
 * A safe place to return to after sign-in: a path on this site, never another origin. Refused (the
 * answer is then "/"): anything not starting with one "/", control characters and backslashes anywhere,
 * raw or percent-encoded, and a value that starts "//" once decoded (so "/%2F%2Fevil.example", which a
 * proxy that decodes would turn into a protocol-relative URL). An encoded "/" later in the path stays
 * allowed: image ids from folder imports hold slashes (/collections/c/images/oak%2F01.jpg).
 */
export function safeNextPath(value: unknown): string {
  if (typeof value !== "string" || value.length > SAFE_NEXT_MAX) return "/";
  if (UNSAFE_CHARACTER.test(value) || UNSAFE_ENCODED.test(value)) return "/";
  const decoded = fullyDecoded(value);
  if (UNSAFE_CHARACTER.test(decoded) || !staysOnSite(value) || !staysOnSite(decoded)) return "/";
  return value;
}

export function signInPathFor(next: string | null | undefined): string {
  return next && next !== "/" ? `${SIGN_IN_PATH}?next=${encodeURIComponent(safeNextPath(next))}` : SIGN_IN_PATH;
}
