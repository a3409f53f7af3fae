// Collects positional parameters while SQL is assembled from optional parts.
export class SqlParams {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder ($n). */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
