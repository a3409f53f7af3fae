import type { Metadata } from "next";
import { PageTitle } from "@/app/_components/ui";
import { requireUser } from "@/lib/auth/session";
import { listModels } from "@/lib/models/registry";
import { FetchModelForm } from "./fetch-model-form";
import { RegisterModelForm } from "./register-model-form";

export const metadata: Metadata = { title: "Models" };

export default async function ModelsPage() {
  await requireUser("models.register");
  const models = await listModels();
  return (
    <>
      <PageTitle sub="The encoders that embed images (and, for the CLIP family, search text). A collection is embedded with a model from its own page.">
        Models
      </PageTitle>
      <div className="mb-8 overflow-hidden rounded-xl border border-stone-200 bg-white">
        {models.length === 0 ? (
          <p className="p-5 text-sm text-stone-600">No model is registered yet.</p>
        ) : (
          <table className="w-full text-left text-sm" data-testid="models">
            <thead className="bg-stone-50 text-xs tracking-wide text-stone-500 uppercase">
              <tr>
                <th className="px-4 py-2 font-medium">Name</th>
                <th className="px-4 py-2 font-medium">Kind</th>
                <th className="px-4 py-2 font-medium">Dimensions</th>
                <th className="px-4 py-2 font-medium">Folder</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-stone-100">
              {models.map((m) => (
                <tr key={m.id}>
                  <td className="px-4 py-2 font-medium">{m.name}</td>
                  <td className="px-4 py-2">{m.kind === "clip" ? "CLIP (text and image)" : "image only"}</td>
                  <td className="px-4 py-2 tabular-nums">{m.dim}</td>
                  <td className="px-4 py-2 font-mono text-xs break-all text-stone-600">{m.folder}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <section className="mb-8 max-w-2xl rounded-xl border border-stone-200 bg-white p-5">
        <h2 className="mb-4 text-sm font-semibold text-stone-800">Fetch from the Hugging Face hub</h2>
        <FetchModelForm />
      </section>
      <section className="max-w-2xl rounded-xl border border-stone-200 bg-white p-5">
        <h2 className="mb-4 text-sm font-semibold text-stone-800">Register a model</h2>
        <RegisterModelForm />
      </section>
    </>
  );
}
