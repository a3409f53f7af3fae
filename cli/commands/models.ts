import type { Command } from "commander";
import { listModels, registerModel } from "@/lib/models/registry";
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
