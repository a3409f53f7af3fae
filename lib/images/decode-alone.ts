// libvips keeps one error log for the whole process: when several images fail to decode at once, one
// image's error can carry another's message (lovell/sharp#902, libvips/libvips#707). A decode that
// failed is therefore tried once more on its own, one at a time, and that attempt's outcome is the one
// reported: the reason stored for an unreadable image names its own problem. Failures are rare, so
// queueing them costs nothing noticeable.

let last: Promise<unknown> = Promise.resolve();

/** Runs `attempt` after every earlier call of this function has settled. */
export function decodeAlone<T>(attempt: () => Promise<T>): Promise<T> {
  const run = last.then(attempt, attempt);
  last = run.catch(() => undefined);
  return run;
}

/** `decode()`, and when it fails, the same decode again on its own (see above). */
export async function decodeWithOwnError<T>(decode: () => Promise<T>): Promise<T> {
  try {
    return await decode();
  } catch {
    return decodeAlone(decode);
  }
}
