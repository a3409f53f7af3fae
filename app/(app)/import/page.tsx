import type { Metadata } from "next";
import { PageTitle } from "@/app/_components/ui";
import { requireUser } from "@/lib/auth/session";
import { ImportForm } from "./import-form";

export const metadata: Metadata = { title: "Import a collection" };

export default async function ImportPage() {
  await requireUser("collections.import");
  return (
    <>
      <PageTitle sub="Images stay where they are; Fieldmark reads their metadata and makes thumbnails once. For millions of images use `npx fieldmark import`.">
        Import a collection
      </PageTitle>
      <ImportForm />
    </>
  );
}
