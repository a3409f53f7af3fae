// `prisma generate` offline: the CLI wants its schema-engine binary on every command and cannot
// download it here; generation itself does not use it, so any existing file will do (STACK.md).
import { spawnSync } from "node:child_process";
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= "/bin/false";
const r = spawnSync("npx", ["prisma", "generate"], { stdio: "inherit", env });
process.exit(r.status ?? 1);
