import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { readConfig } from "@/lib/config";

// better-auth signs session cookies with a secret. BETTER_AUTH_SECRET wins when set (teams, CI);
// otherwise one is made on first use and kept in the data folder, so `fieldmark start` needs no setup
// and sessions survive restarts.

const SECRET_FILE = "auth-secret";

export function authSecret(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.BETTER_AUTH_SECRET;
  if (fromEnv) return fromEnv;
  const dir = readConfig(env).dataDir;
  const file = path.join(dir, SECRET_FILE);
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  fs.mkdirSync(dir, { recursive: true });
  const secret = crypto.randomBytes(32).toString("base64url");
  try {
    // "wx": if another process wrote it first, keep theirs.
    fs.writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
    return secret;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return fs.readFileSync(file, "utf8").trim();
    throw e;
  }
}
