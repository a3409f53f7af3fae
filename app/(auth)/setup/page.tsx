import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { countUsers } from "@/lib/auth/users";
import { SetupForm } from "./setup-form";

export const metadata: Metadata = { title: "First-run setup" };

/** Open only while there are no accounts at all: it creates the first admin. */
export default async function SetupPage() {
  if ((await countUsers()) > 0) redirect("/sign-in");
  return (
    <>
      <h1 className="text-lg font-semibold">Welcome to Fieldmark</h1>
      <p className="mt-1 mb-5 text-sm text-stone-600">
        Create the first administrator account. Admins add everyone else (or use{" "}
        <code className="font-mono text-xs">fieldmark users add</code>).
      </p>
      <SetupForm />
    </>
  );
}
