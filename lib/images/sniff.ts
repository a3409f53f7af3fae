// What an image really is, from its first bytes: a file's name and a server's Content-Type can both
// lie (a .jpg that is HTML, a bucket answering text/html), and only these formats are ever served.

/** How many leading bytes sniffImageType needs to decide (an ISO-BMFF ftyp box with its brands fits). */
export const SNIFF_BYTES = 64;

const HEIF_BRANDS = new Set(["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"]);

function ascii(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, Math.max(0, Math.min(end, buf.length) - start)).toString(
    "latin1",
  );
}

function startsWith(buf: Uint8Array, bytes: number[], at = 0): boolean {
  return buf.length >= at + bytes.length && bytes.every((b, i) => buf[at + i] === b);
}

/** The MIME type of a JPEG, PNG, WebP, GIF, TIFF, AVIF or HEIF image, or null for anything else. */
export function sniffImageType(buf: Uint8Array): string | null {
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (ascii(buf, 0, 6) === "GIF87a" || ascii(buf, 0, 6) === "GIF89a") return "image/gif";
  if (ascii(buf, 0, 4) === "RIFF" && ascii(buf, 8, 12) === "WEBP") return "image/webp";
  // TIFF and BigTIFF, both byte orders
  if (startsWith(buf, [0x49, 0x49, 0x2a, 0x00]) || startsWith(buf, [0x4d, 0x4d, 0x00, 0x2a])) return "image/tiff";
  if (startsWith(buf, [0x49, 0x49, 0x2b, 0x00]) || startsWith(buf, [0x4d, 0x4d, 0x00, 0x2b])) return "image/tiff";
  // ISO-BMFF (AVIF, HEIF): an ftyp box whose major or compatible brands name an image format, so an
  // MP4 video (same box, other brands) is not taken for one
  if (buf.length >= 16 && ascii(buf, 4, 8) === "ftyp") {
    const boxSize = Buffer.from(buf.buffer, buf.byteOffset, buf.length).readUInt32BE(0);
    const end = Math.min(boxSize >= 16 ? boxSize : 16, buf.length);
    const brands = [ascii(buf, 8, 12)];
    for (let at = 16; at + 4 <= end; at += 4) brands.push(ascii(buf, at, at + 4));
    if (brands.some((b) => b === "avif" || b === "avis")) return "image/avif";
    if (brands.some((b) => b === "heic" || b === "heix")) return "image/heic";
    if (brands.some((b) => HEIF_BRANDS.has(b))) return "image/heif";
  }
  return null;
}
