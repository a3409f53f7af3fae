import { getIP } from "better-auth/api";
import { db } from "@/lib/db/client";
import { preparedStatement } from "./statements";

// Sign-in is rate-limited per client, in the database so that every web process counts the same
// attempts (a limit kept in each process's memory would give a client one allowance per process).
// better-auth's own limiter uses this store for its endpoints (lib/auth/auth.ts, rateLimit.customStorage),
// and the sign-in form's server action, which calls better-auth directly and so passes no limiter of
// its own, takes from the same allowance (consumeSignInAttempt). The client is the address
// bin/web-server.mjs decided (x-fieldmark-client-ip: the socket, or what a trusted proxy says), never
// an X-Forwarded-For a client sent itself.

export type RateLimitRule = { /** seconds */ window: number; max: number };
export type RateLimitDecision = { allowed: boolean; retryAfter: number | null };

/** better-auth's path for signing in with a password, and the allowance per client */
export const SIGN_IN_PATH = "/sign-in/email";
export const SIGN_IN_LIMIT: RateLimitRule = { window: 60, max: 10 };

/** better-auth's key when it cannot tell the client: one shared allowance, never none */
const UNKNOWN_CLIENT = "no-trusted-ip";
/** rows whose window started longer ago than this are dead (no rule's window is near it) */
const STALE_AFTER = "1 hour";

// One statement decides and counts, so two processes (or two requests) at once cannot both slip
// under the limit: a window that is over starts again at 1.
const consume = preparedStatement(
  "fieldmark-rate-limit-consume",
  `INSERT INTO auth_rate_limits AS r (key, count, window_started_at) VALUES ($1, 1, now())
   ON CONFLICT (key) DO UPDATE SET
     count = CASE WHEN r.window_started_at <= now() - make_interval(secs => $2) THEN 1 ELSE r.count + 1 END,
     window_started_at = CASE WHEN r.window_started_at <= now() - make_interval(secs => $2)
                              THEN now() ELSE r.window_started_at END
   RETURNING count,
     ceil(extract(epoch FROM r.window_started_at + make_interval(secs => $2) - now()))::int AS "retryAfter"`,
);

/** Counts one request against `key` and says whether it is within `rule` (better-auth's storage shape). */
export async function consumeRateLimit(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
  const { rows } = await db().query<{ count: number; retryAfter: number }>(consume([key, rule.window]));
  const { count, retryAfter } = rows[0];
  if (count === 1 && Math.random() < 0.05) {
    // now and then, when a window starts, forget clients not seen for a long time
    db()
      .query(`DELETE FROM auth_rate_limits WHERE window_started_at < now() - interval '${STALE_AFTER}'`)
      .catch((e) => console.error("[auth] pruning rate limits failed:", (e as Error).message));
  }
  return count <= rule.max
    ? { allowed: true, retryAfter: null }
    : { allowed: false, retryAfter: Math.max(1, retryAfter) };
}

/** better-auth's rateLimit.customStorage */
export const rateLimitStorage = { consume: consumeRateLimit };

/**
 * One sign-in attempt from the client `headers` came from, against the same allowance better-auth's
 * /api/auth/sign-in/email counts (its key: the client's address as better-auth reads it, and the path).
 */
export async function consumeSignInAttempt(
  headers: Headers,
  options: Parameters<typeof getIP>[1],
): Promise<RateLimitDecision> {
  const client = getIP(headers, options) ?? UNKNOWN_CLIENT;
  return consumeRateLimit(`${client}|${SIGN_IN_PATH}`, SIGN_IN_LIMIT);
}
