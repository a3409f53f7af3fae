import path from "node:path";
import { defineConfig } from "vitest/config";
import AppTestsLast from "./tests/sequencer";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Database tests each make their own database; two cores, so keep parallelism modest.
    maxWorkers: 2,
    globalSetup: ["tests/global-setup.ts"],
    sequence: { sequencer: AppTestsLast },
  },
});
