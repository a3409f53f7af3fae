import fs from "node:fs";
import path from "node:path";

// Whether the production build in .next is newer than every source it is made of: `fieldmark start`
// builds again only when it is not, and so do the tests that run the app (tests/helpers/next-build).

const ROOT = path.resolve(import.meta.dirname, "..");
const SOURCE_DIRS = ["app", "lib", "components", "generated"];
const SOURCE_FILES = ["next.config.js", "postcss.config.mjs", "package.json", "tsconfig.json", "proxy.ts"];

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/** A production build is reused unless a source file changed after it. */
export function buildIsCurrent(): boolean {
  const buildId = path.join(ROOT, ".next", "BUILD_ID");
  if (!fs.existsSync(buildId)) return false;
  const built = fs.statSync(buildId).mtimeMs;
  const sources = [...SOURCE_DIRS, ...SOURCE_FILES].map((p) => newestMtime(path.join(ROOT, p)));
  return Math.max(...sources) < built;
}
