import { z } from "zod";

// Where the hub is and who we are there, as the Hugging Face tools read them: HF_ENDPOINT (a mirror, or a
// stand-in in tests) and HF_TOKEN (gated or private repositories). Read here, validated, and passed to
// @huggingface/hub as hubUrl and accessToken: the client itself reads no environment.

export const DEFAULT_HUB_URL = "https://huggingface.co";

const hubEnvSchema = z.object({
  HF_ENDPOINT: z
    .url({ protocol: /^https?$/, message: "must be an http(s) URL such as https://huggingface.co" })
    .optional()
    .or(z.literal("")),
  HF_TOKEN: z.string().optional(),
});

export type HubSettings = { hubUrl: string; accessToken: string | undefined };

export function readHubSettings(env: NodeJS.ProcessEnv = process.env): HubSettings {
  const parsed = hubEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Bad environment variable ${issue.path.join(".")}: ${issue.message}`);
  }
  const hubUrl = (parsed.data.HF_ENDPOINT || DEFAULT_HUB_URL).replace(/\/+$/, "");
  const accessToken = parsed.data.HF_TOKEN?.trim() || undefined;
  return { hubUrl, accessToken };
}
