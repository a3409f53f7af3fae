import path from "node:path";
import { z } from "zod";
import { parseTrustedProxies } from "@/lib/auth/forwarding.mjs";

// Environment is read once, at the boundary, and validated: a bad PORT should fail loudly at start.
const envSchema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  FIELDMARK_DATA_DIR: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  FIELDMARK_IMAGE_ROOTS: z.string().optional(),
  FIELDMARK_MAX_IMAGE_BYTES: z.coerce.number().int().min(1).optional(),
  // the most bytes one request may upload (a train.json or CSV through the import page, a query CSV)
  FIELDMARK_MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).optional(),
  // the Hugging Face hub, as its own tools read them: a mirror (or the tests' stand-in) and a token for
  // gated or private repositories (lib/models/hub passes them to @huggingface/hub, which reads no env)
  HF_ENDPOINT: z
    .url({ protocol: /^https?$/, message: "must be an http(s) URL such as https://huggingface.co" })
    .optional()
    .or(z.literal("")),
  HF_TOKEN: z.string().optional(),
  // the reverse proxies whose X-Forwarded-* headers count (bin/web-server.mjs applies them)
  FIELDMARK_TRUSTED_PROXIES: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      try {
        parseTrustedProxies(value);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
      }
    }),
});

export type Config = { databaseUrl?: string; dataDir: string; port: number };

/** Where images may be read from, and how big one may be (lib/images/allowed-roots.ts applies them). */
export type ImageSettings = {
  /**
   * Where images may come from when a lead imports through the web UI or API: absolute folders and
   * http(s) URL prefixes (FIELDMARK_IMAGE_ROOTS, comma-separated). Empty by default: the web may import
   * nothing until an admin says where photos live. The CLI is not limited by it (see lib/images/allowed-roots.ts).
   */
  imageRoots: string[];
  /** the most bytes one original image may have, local or remote (FIELDMARK_MAX_IMAGE_BYTES, default 50 MB) */
  maxImageBytes: number;
};

export const DEFAULT_MAX_IMAGE_BYTES = 50 * 1024 * 1024;

/**
 * FIELDMARK_IMAGE_ROOTS: entries separated by commas (not the platform path delimiter, whose ":" is in
 * every URL). Each is an absolute folder or an http(s) URL prefix; anything else fails at start.
 */
export function parseImageRoots(value: string | undefined): string[] {
  const entries = (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return entries.map((entry) => {
    if (/^https?:\/\//i.test(entry)) {
      let url: URL;
      try {
        url = new URL(entry);
      } catch {
        throw new Error(`Bad environment variable FIELDMARK_IMAGE_ROOTS: ${entry} is not a valid URL`);
      }
      if (url.search || url.hash || url.username || url.password)
        throw new Error(
          `Bad environment variable FIELDMARK_IMAGE_ROOTS: ${entry} must be a plain URL prefix (no query, fragment or credentials)`,
        );
      return url.pathname.endsWith("/") ? url.toString() : `${url.toString()}/`;
    }
    if (!path.isAbsolute(entry))
      throw new Error(
        `Bad environment variable FIELDMARK_IMAGE_ROOTS: ${entry} is neither an absolute folder nor an http(s) URL`,
      );
    return path.resolve(/* turbopackIgnore: true */ entry);
  });
}

function parseEnv(env: NodeJS.ProcessEnv) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Bad environment variable ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnv(env);
  readImageSettings(env); // a bad FIELDMARK_IMAGE_ROOTS fails at start too, not at the first image
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(/* turbopackIgnore: true */ e.FIELDMARK_DATA_DIR ?? ".data"),
    port: e.PORT,
  };
}

export function readImageSettings(env: NodeJS.ProcessEnv = process.env): ImageSettings {
  const e = parseEnv(env);
  return {
    imageRoots: parseImageRoots(e.FIELDMARK_IMAGE_ROOTS),
    maxImageBytes: e.FIELDMARK_MAX_IMAGE_BYTES ?? DEFAULT_MAX_IMAGE_BYTES,
  };
}

/** How big an uploaded body may be (app/api/_lib/body.ts applies it). */
export type UploadSettings = {
  /** the most bytes of one upload request (FIELDMARK_MAX_UPLOAD_BYTES, default 100 MB) */
  maxUploadBytes: number;
};

export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

export function readUploadSettings(env: NodeJS.ProcessEnv = process.env): UploadSettings {
  return { maxUploadBytes: parseEnv(env).FIELDMARK_MAX_UPLOAD_BYTES ?? DEFAULT_MAX_UPLOAD_BYTES };
}

/** Where models are fetched from and as whom (HF_ENDPOINT, HF_TOKEN). */
export type HubSettings = { hubUrl: string; accessToken: string | undefined };

export const DEFAULT_HUB_URL = "https://huggingface.co";

export function readHubSettings(env: NodeJS.ProcessEnv = process.env): HubSettings {
  const e = parseEnv(env);
  return {
    hubUrl: (e.HF_ENDPOINT || DEFAULT_HUB_URL).replace(/\/+$/, ""),
    accessToken: e.HF_TOKEN?.trim() || undefined,
  };
}

/** Where cached thumbnails live: beside the embedded database, whichever database is used. */
export function thumbnailsDir(config: Config = readConfig()): string {
  return path.join(config.dataDir, "thumbnails");
}
