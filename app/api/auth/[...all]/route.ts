import { getAuth } from "@/lib/auth/auth";

// better-auth's own endpoints (sign-in, sign-out, session). Sign-up is switched off in lib/auth/auth.ts.
export const GET = (request: Request) => getAuth().handler(request);
export const POST = (request: Request) => getAuth().handler(request);
