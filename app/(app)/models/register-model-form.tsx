"use client";

import { useRouter } from "next/navigation";
import { useMutation } from "@tanstack/react-query";
import { Button, ErrorNote, Field, Input } from "@/app/_components/ui";

type Registered = { name: string; kind: string; dim: number; half: boolean };

async function register(form: FormData): Promise<Registered> {
  const res = await fetch("/api/models", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ folder: form.get("folder"), name: form.get("name"), half: form.get("half") === "on" }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `The server answered ${res.status}`);
  return body.model;
}

export function RegisterModelForm() {
  const router = useRouter();
  const mutation = useMutation({ mutationFn: register, onSuccess: () => router.refresh() });
  const added = mutation.data;
  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        mutation.mutate(new FormData(e.currentTarget));
      }}
    >
      <Field
        label="Folder on the server"
        htmlFor="folder"
        hint="A CLIP-family Hugging Face ONNX export (onnx/text_model.onnx, onnx/vision_model.onnx, tokenizer, preprocessor_config.json) or an image-only .onnx model."
      >
        <Input id="folder" name="folder" required placeholder="/models/clip-vit-b32" />
      </Field>
      <Field
        label="Name"
        htmlFor="model-name"
        hint="Letters, digits and . _ - @ +; it names the model in searches and exports."
      >
        <Input id="model-name" name="name" required placeholder="clip-vit-b32" />
      </Field>
      <label className="flex items-center gap-2 text-sm text-stone-700">
        <input type="checkbox" name="half" className="h-4 w-4 accent-emerald-700" />
        Store vectors at half precision (halfvec: half the space, for millions of images)
      </label>
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={mutation.isPending}>
          {mutation.isPending ? "Checking the folder…" : "Register"}
        </Button>
        {added && !mutation.isPending && (
          <p role="status" className="text-sm text-emerald-800">
            Registered {added.name}: {added.kind === "clip" ? "CLIP" : "image-only"}, {added.dim}-d
            {added.half ? ", halfvec" : ""}.
          </p>
        )}
      </div>
      {/* registration lists every problem with the folder, one per line: shown as it is */}
      {mutation.error && (
        <ErrorNote>
          <span className="whitespace-pre-wrap">{mutation.error.message}</span>
        </ErrorNote>
      )}
    </form>
  );
}
