import crypto from "node:crypto";

// SHA256SUMS in sha256sum's own format ("<hex>  <name>", names sorted), so `sha256sum -c SHA256SUMS`
// run in the export's folder checks every file.

export const sha256 = (bytes: Uint8Array | string) => crypto.createHash("sha256").update(bytes).digest("hex");

export function sha256sums(checksums: Readonly<Record<string, string>>): string {
  return Object.keys(checksums)
    .sort()
    .map((name) => `${checksums[name]}  ${name}\n`)
    .join("");
}
