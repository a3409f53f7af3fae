#!/usr/bin/env node
// The `fieldmark` command: runs the TypeScript CLI in cli/ through tsx, so the CLI, the worker and
// the app all use the same lib/ source with no separate build step.
import { register } from "tsx/esm/api";
process.env.NEXT_TELEMETRY_DISABLED ??= "1";
register({ tsconfig: new URL("../tsconfig.json", import.meta.url).pathname });
await import("../cli/index.ts");
