import crypto from "node:crypto";
import { unstable_rethrow } from "next/navigation";
import { CROSS_SITE_MESSAGE, isCrossSiteRequest } from "@/lib/auth/csrf";
import { PermissionError, type Permission } from "@/lib/auth/permissions";
import type { CurrentUser } from "@/lib/auth/roles";
import { requireApiUser } from "@/lib/auth/session";

// Every route handler under app/api (but better-auth's own) is made by route(): it refuses a
// state-changing request from another site's page (403, lib/auth/csrf), checks the permission (401
// signed out, 403 without it), hands the handler its params and user, turns a null
// lookup (`found`) into a 404, and answers anything the handler did not expect with a 500 carrying an
// id. The log gets the id, the request and the stack; the answer never gets the message, which may
// hold a server path or a piece of SQL. Known input errors are answered by the handlers themselves.

/** Thrown by a handler (through `found`, say) to stop with this JSON answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** A lookup's value, or a 404 `{ error: message }` when it found nothing. */
export function found<T>(value: T | null | undefined, message: string): T {
  if (value === null || value === undefined) throw new HttpError(404, message);
  return value;
}

type RouteUser<P extends Permission | "public"> = P extends "public" ? null : CurrentUser;

/**
 *   export const GET = route<{ name: string }>("collections.read", async (request, { params, user }) => ...)
 *
 * "public" needs no session (the handler gets no user): /api/health.
 */
export function route<Params = Record<string, never>, P extends Permission | "public" = Permission>(
  permission: P,
  handler: (request: Request, ctx: { params: Params; user: RouteUser<P> }) => Promise<Response>,
): (request: Request, ctx: { params: Promise<Params> }) => Promise<Response> {
  return async (request, ctx) => {
    if (isCrossSiteRequest(request)) return Response.json({ error: CROSS_SITE_MESSAGE }, { status: 403 });
    try {
      let user: CurrentUser | null = null;
      if (permission !== "public") {
        const signedIn = await requireApiUser(request, permission as Permission);
        if (signedIn instanceof Response) return signedIn;
        user = signedIn;
      }
      return await handler(request, { params: await ctx.params, user: user as RouteUser<P> });
    } catch (e) {
      unstable_rethrow(e); // Next's own redirect/notFound signals, should a handler use them
      if (e instanceof HttpError) return Response.json({ error: e.message, ...e.extra }, { status: e.status });
      if (e instanceof PermissionError)
        return Response.json({ error: e.message, ...(e.field && { field: e.field }) }, { status: 403 });
      return internalError(request, e);
    }
  };
}

/** A 500 that says only that something broke, and the id to find it in the log by. */
export function internalError(request: Request, e: unknown): Response {
  const id = crypto.randomBytes(6).toString("hex");
  const stack = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
  console.error(`[api] internal error ${id}: ${request.method} ${new URL(request.url).pathname}\n${stack}`);
  return Response.json({ error: "Internal error", id }, { status: 500 });
}
