import type { Command } from "commander";
import { listModels, registerModel } from "@/lib/models/registry";
import { progressBar } from "../progress";
import { printJson, withDatabase } from "../run";

export function registerModelCommands(program: Command): void {
  const models = program.command("models").description("image and text encoders");
  models
    .command("add <folder>")
    .description(
      "register an encoder folder: a CLIP-family Hugging Face ONNX export (onnx/text_model.onnx, onnx/vision_model.onnx, tokenizer, preprocessor_config.json) or an image-only ONNX model",
    )
    .requiredOption("--name <name>", "the name to use it by")
    .option("--half", "store its vectors as halfvec (half the space, for big collections)")
    .option("--json", "print the result as JSON")
    .action(async (folder: string, opts: { name: string; half?: boolean; json?: boolean }) => {
      const model = await withDatabase(() => registerModel({ folder, name: opts.name, half: opts.half }));
      if (opts.json) printJson(model);
      else
        console.log(
          `registered ${model.kind} model "${model.name}" (${model.dim}-d${model.half ? ", halfvec" : ""}) from ${model.folder}`,
        );
    });
  models
    .command("fetch <repo>")
    .description(
      "download a model from the Hugging Face hub (owner/name[@revision]: only the files an encoder needs, resumable, each checked against the hub's size and SHA-256) into the data folder and register it as `models add` does; HF_TOKEN for gated or private repositories, HF_ENDPOINT for a mirror",
    )
    .requiredOption("--name <name>", "the name to use it by")
    .option("--variant <variant>", "which ONNX files: fp32, quantized or fp16", "fp32")
    .option("--half", "store its vectors as halfvec (half the space, for big collections)")
    .option("--json", "print the result as JSON")
    .action(async (repo: string, opts: { name: string; variant: string; half?: boolean; json?: boolean }) => {
      const { fetchHubModel } = await import("@/lib/models/hub/fetch-model");
      const { VARIANTS } = await import("@/lib/models/hub/plan");
      const variant = VARIANTS.find((v) => v === opts.variant);
      if (!variant) throw new Error(`--variant must be one of ${VARIANTS.join(", ")}, not "${opts.variant}"`);
      let bar: ReturnType<typeof progressBar> | null = null;
      let barFile = "";
      const model = await withDatabase(() =>
        fetchHubModel({
          repo,
          name: opts.name,
          variant,
          half: opts.half,
          onProgress: (p) => {
            if (p.phase !== "downloading" || !p.file) return;
            if (p.file !== barFile) {
              bar?.end();
              barFile = p.file;
              bar = progressBar(`${p.fileIndex}/${p.fileCount} ${p.file}`);
            }
            const kb = (n: number) => Math.round(n / 1024);
            const overall = p.total ? Math.floor((p.done / p.total) * 100) : 100;
            bar!.update(
              kb(p.fileDone ?? 0),
              kb(p.fileTotal ?? 0),
              `kB; overall ${overall}% of ${kb(p.total).toLocaleString("en-US")} kB`,
            );
          },
        }),
      );
      (bar as ReturnType<typeof progressBar> | null)?.end();
      if (opts.json) printJson(model);
      else
        console.log(
          `registered ${model.kind} model "${model.name}" (${model.dim}-d${model.half ? ", halfvec" : ""}) from ${model.repo} at ${model.revision} in ${model.folder}`,
        );
    });
  models
    .command("list")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const all = await withDatabase(listModels);
      if (opts.json) printJson(all);
      else
        for (const m of all)
          console.log(`${m.name.padEnd(24)} ${m.kind.padEnd(6)} ${String(m.dim).padStart(5)}-d  ${m.folder}`);
    });
}
