import type { Pool } from "pg";
import { betterAuth } from "better-auth";
import { nextCookies } from "better-auth/next-js";
import { db } from "@/lib/db/client";
import { requestOrigin } from "./csrf";
import { CLIENT_IP_HEADER } from "./forwarding.mjs";
import { rateLimitStorage, SIGN_IN_LIMIT, SIGN_IN_PATH } from "./rate-limit";
import { authSecret } from "./secret";

// better-auth owns passwords and sessions; its four tables are ours (see prisma/schema.prisma), so the
// model and field names below map its camelCase names onto our snake_case columns.

const DAY = 24 * 60 * 60;

function createAuth(pool: Pool) {
  const baseURL = process.env.BETTER_AUTH_URL || undefined;
  return betterAuth({
    appName: "Fieldmark",
    database: pool,
    secret: authSecret(),
    baseURL,
    // A signed-in POST to better-auth's endpoints must come from a page of the site as the browser
    // reached it (by whichever name or address), not only from BETTER_AUTH_URL or what Next calls itself.
    trustedOrigins: (request) => [requestOrigin(request)],
    telemetry: { enabled: false },
    logger: {
      log: (level, message, ...args) => {
        // Without BETTER_AUTH_URL the origin comes from each request, which is what a self-hosted tool
        // reached as localhost or by its LAN name wants; the warning about it is noise.
        if (message.includes("Base URL is not set")) return;
        (level === "error" ? console.error : level === "warn" ? console.warn : console.log)(
          `[auth] ${message}`,
          ...args,
        );
      },
    },
    emailAndPassword: {
      enabled: true,
      // Accounts are made by an admin, by the first-run /setup page, or by `fieldmark users add`.
      disableSignUp: true,
      minPasswordLength: 8,
    },
    user: {
      modelName: "users",
      fields: { emailVerified: "email_verified", createdAt: "created_at", updatedAt: "updated_at" },
      additionalFields: {
        // Set only by our own code (createUser), never from a sign-up or profile-update body.
        role: { type: "string", required: false, defaultValue: "expert", input: false },
      },
    },
    session: {
      // A session lasts a week from its last use: using it renews it once a day (better-auth moves
      // expires_at and the cookie's Max-Age on); one not used for 7 days is refused.
      expiresIn: 7 * DAY,
      updateAge: DAY,
      modelName: "sessions",
      fields: {
        expiresAt: "expires_at",
        createdAt: "created_at",
        updatedAt: "updated_at",
        ipAddress: "ip_address",
        userAgent: "user_agent",
        userId: "user_id",
      },
    },
    account: {
      modelName: "accounts",
      fields: {
        accountId: "account_id",
        providerId: "provider_id",
        userId: "user_id",
        accessToken: "access_token",
        refreshToken: "refresh_token",
        idToken: "id_token",
        accessTokenExpiresAt: "access_token_expires_at",
        refreshTokenExpiresAt: "refresh_token_expires_at",
        createdAt: "created_at",
        updatedAt: "updated_at",
      },
    },
    verification: {
      modelName: "verifications",
      fields: { expiresAt: "expires_at", createdAt: "created_at", updatedAt: "updated_at" },
    },
    // Per client, in the database (every web process counts the same attempts): lib/auth/rate-limit.ts.
    // Signing in with a password is allowed SIGN_IN_LIMIT.max times a minute from one client; the
    // sign-in form's server action takes from the same allowance. On by default only in production.
    rateLimit: {
      enabled: true,
      customRules: { [SIGN_IN_PATH]: SIGN_IN_LIMIT },
      customStorage: rateLimitStorage,
    },
    advanced: {
      // The client's address as bin/web-server.mjs decided it (the socket, or a trusted proxy's word),
      // never a client's own X-Forwarded-For.
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
      // Secure when the page came over HTTPS: bin/web-server.mjs adds it per request (directly, or
      // behind a trusted proxy that says so), since the same app is often reached over plain HTTP on a
      // LAN, where a browser would drop a Secure cookie. Always when BETTER_AUTH_URL is https.
      useSecureCookies: baseURL?.startsWith("https://") ?? false,
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax" },
    },
    // nextCookies lets server actions that call auth.api (sign in, sign out) set the session cookie.
    plugins: [nextCookies()],
  });
}

export type Auth = ReturnType<typeof createAuth>;

const globalForAuth = globalThis as unknown as { fieldmarkAuth?: { pool: Pool; auth: Auth } };

/**
 * The better-auth instance, made on first use: DATABASE_URL is only known at run time (never during
 * `next build`), and tests switch databases between suites, so it follows lib/db/client's pool.
 */
export function getAuth(): Auth {
  const pool = db();
  const existing = globalForAuth.fieldmarkAuth;
  if (existing && existing.pool === pool) return existing.auth;
  const auth = createAuth(pool);
  globalForAuth.fieldmarkAuth = { pool, auth };
  return auth;
}
