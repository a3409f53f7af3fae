import path from "node:path";
import { z } from "zod";

// Environment is read once, at the boundary, and validated: a bad PORT should fail loudly at start.
const envSchema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  FIELDMARK_DATA_DIR: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
});

export type Config = { databaseUrl?: string; dataDir: string; port: number };

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Bad environment variable ${issue.path.join(".")}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(/* turbopackIgnore: true */ e.FIELDMARK_DATA_DIR ?? ".data"),
    port: e.PORT,
  };
}

/** Where cached thumbnails live: beside the embedded database, whichever database is used. */
export function thumbnailsDir(config: Config = readConfig()): string {
  return path.join(config.dataDir, "thumbnails");
}
