import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeNextPath } from "@/lib/auth/paths";
import { getCurrentUser } from "@/lib/auth/session";
import { countUsers } from "@/lib/auth/users";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const raw = (await searchParams).next;
  const next = safeNextPath(Array.isArray(raw) ? raw[0] : raw);
  if ((await countUsers()) === 0) redirect("/setup");
  if (await getCurrentUser()) redirect(next);
  return (
    <>
      <h1 className="text-lg font-semibold">Sign in to Fieldmark</h1>
      <p className="mt-1 mb-5 text-sm text-stone-600">Accounts are created by an administrator.</p>
      <SignInForm next={next} />
    </>
  );
}
