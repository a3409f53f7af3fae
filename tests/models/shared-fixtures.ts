import fs from "node:fs";
import path from "node:path";
import { servicesRequired } from "../helpers/services";

// The shared material beside the project (../shared): real photos and the real MobileNetV2.
// CI always has it; elsewhere its tests skip, saying why, unless FIELDMARK_REQUIRE_SERVICES=1.

export const sharedDir = path.resolve(import.meta.dirname, "../../../shared");
export const mobilenetDir = path.join(sharedDir, "models/mobilenetv2-int8");
export const clipMergesFile = path.join(sharedDir, "models/clip-tokenizer/bpe_simple_vocab_16e6.txt.gz");
export const naturalMixDir = path.join(sharedDir, "fixtures/natural-mix");
export const lepidopteraDir = path.join(sharedDir, "fixtures/lepidoptera");

/** Whether the fixtures are there; when they are not and CI requires them, fails loudly. */
export function sharedFixturesAvailable(...paths: string[]): boolean {
  const missing = paths.filter((p) => !fs.existsSync(p));
  if (missing.length === 0) return true;
  if (servicesRequired)
    throw new Error(`FIELDMARK_REQUIRE_SERVICES=1 but shared fixtures are missing: ${missing.join(", ")}`);
  console.warn(`skipping fixture tests: ${missing.join(", ")} not found (the shared folder beside the project)`);
  return false;
}
