import { jsonError } from "./http";

/**
 * A lookup's result (lib/search/lookup: collections and models by name, images by source id), or a 404
 * carrying its message. Those lookups throw a plain Error naming what they do not know; anything else
 * (a database error) is not a 404 and goes on up.
 */
export async function foundOr404<T>(lookup: Promise<T>, message?: (e: Error) => string): Promise<T | Response> {
  try {
    return await lookup;
  } catch (e) {
    if (e instanceof Error && Object.getPrototypeOf(e) === Error.prototype)
      return jsonError(404, message ? message(e) : e.message);
    throw e;
  }
}
