import { readUploadSettings } from "@/lib/config";

// Upload bodies are read only up to a limit (FIELDMARK_MAX_UPLOAD_BYTES): a Content-Length over it is
// refused before a byte is read, and a body that goes past it anyway (chunked, with no length, or longer
// than its header said) is cut off as soon as it does, so no request holds more than the limit in memory.
// The answer is 413 naming the limit; the handler has saved nothing by then.

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The upload is larger than the ${formatBytes(limit)} this server accepts`);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30 && bytes % 2 ** 30 === 0) return `${bytes / 2 ** 30} GB`;
  if (bytes >= 2 ** 20) return `${Math.round((bytes / 2 ** 20) * 10) / 10} MB`;
  if (bytes >= 2 ** 10) return `${Math.round((bytes / 2 ** 10) * 10) / 10} kB`;
  return `${bytes} bytes`;
}

/** The 413 answer for a body over the limit. */
export function bodyTooLarge(e: BodyTooLargeError, hint = ""): Response {
  return Response.json(
    { error: `${e.message} (FIELDMARK_MAX_UPLOAD_BYTES)${hint}`, field: "file", limit: e.limit },
    // no "Connection: close": closing on unread bytes can reset the socket before the browser reads this
    // answer; Node reads and discards the rest (never keeping it), bounded by its requestTimeout
    { status: 413 },
  );
}

/** The configured limit, or a smaller one a route asks for. */
export function uploadLimit(atMost?: number): number {
  const configured = readUploadSettings().maxUploadBytes;
  return atMost === undefined ? configured : Math.min(configured, atMost);
}

/** The request's body as a stream that errors with BodyTooLargeError once it passes `limit` bytes. */
function limitedBody(request: Request, limit: number): { stream: ReadableStream<Uint8Array>; over: () => boolean } {
  const reader = request.body!.getReader();
  let seen = 0;
  let over = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      seen += value.byteLength;
      if (seen > limit) {
        over = true;
        await reader.cancel().catch(() => {});
        return controller.error(new BodyTooLargeError(limit));
      }
      controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { stream, over: () => over };
}

async function readLimited<T>(request: Request, limit: number, read: (r: Response) => Promise<T>): Promise<T> {
  const length = request.headers.get("content-length");
  if (length !== null && /^\d+$/.test(length) && Number(length) > limit) {
    await request.body?.cancel().catch(() => {});
    throw new BodyTooLargeError(limit);
  }
  const headers = { "content-type": request.headers.get("content-type") ?? "" };
  if (!request.body) return read(new Response(null, { headers }));
  const body = limitedBody(request, limit);
  try {
    return await read(new Response(body.stream, { headers }));
  } catch (e) {
    if (body.over()) throw new BodyTooLargeError(limit);
    throw e;
  }
}

/**
 * The request's multipart (or urlencoded) form, read no further than `limit` bytes. Throws
 * BodyTooLargeError past it; a body that is not a form throws as request.formData() does.
 */
export function readFormData(request: Request, limit = uploadLimit()): Promise<FormData> {
  return readLimited(request, limit, (r) => r.formData());
}

/** The request's JSON body, read no further than `limit` bytes; past it BodyTooLargeError, not JSON a SyntaxError. */
export function readJson(request: Request, limit = uploadLimit()): Promise<unknown> {
  return readLimited(request, limit, (r) => r.json());
}
