import fs from "node:fs";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { ensureBuilt } from "./helpers/next-build";
import { browserEnabled } from "./helpers/services";

// The files that run the app wait for `next build`, which takes minutes on two cores. So the build
// starts here, in the background, as soon as the run is known to hold such a file, and those files run
// last (largest first), after the others have used the cores meanwhile.

const APP_TESTS = /\/tests\/(browser|access)\//;

export default class AppTestsLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const app = sorted.filter((f) => APP_TESTS.test(f.moduleId));
    if (!app.length) return sorted;
    // they are skipped without a browser; a failure is reported by the first file that needs the build, which tries again and says why
    if (browserEnabled) ensureBuilt().catch(() => {});
    const size = (f: TestSpecification) => fs.statSync(f.moduleId).size;
    app.sort((a, b) => size(b) - size(a));
    return [...sorted.filter((f) => !APP_TESTS.test(f.moduleId)), ...app];
  }
}
