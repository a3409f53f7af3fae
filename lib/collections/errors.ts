// Errors an import can end with. ImportError is bad input: the message says what and where, and the
// location fields let the CLI or the UI point at it. Nothing of a failed import is kept.
// ImportInterruptedError is a stop from outside (abort, Ctrl-C): the work so far is kept and the
// next run of the same import resumes it.

export type ImportErrorCode =
  | "source-not-found"
  | "unsupported-source"
  | "malformed-json"
  | "bad-structure"
  | "missing-field"
  | "invalid-field"
  | "duplicate-id"
  | "unknown-reference"
  | "conflicting-annotations"
  | "bad-encoding"
  | "malformed-csv"
  | "bad-columns"
  | "path-escapes-root"
  | "images-root-not-found"
  | "images-root-unreachable"
  | "images-root-mismatch"
  | "import-running";

/** Where in the source the problem is; every field is optional because not every error has each. */
export type ImportErrorLocation = {
  /** the file (or folder) being imported */
  file?: string;
  /** JSON section (images, categories, annotations) or "rows" for a CSV */
  section?: string;
  /** index of the record in its section (0-based, as in images[12]) */
  index?: number;
  /** the field of the record */
  field?: string;
  /** 1-based line and column in the file */
  line?: number;
  column?: number;
  /** 0-based byte offset in the file */
  byteOffset?: number;
  /** the offending id, when the problem is about an id */
  id?: string;
};

export class ImportError extends Error {
  readonly code: ImportErrorCode;
  readonly location: ImportErrorLocation;

  constructor(code: ImportErrorCode, message: string, location: ImportErrorLocation = {}) {
    super(message);
    this.name = "ImportError";
    this.code = code;
    this.location = location;
  }
}

export class ImportInterruptedError extends Error {
  readonly importId: number;
  readonly recordsDone: number;

  constructor(importId: number, recordsDone: number, reason?: unknown) {
    const why = reason instanceof Error ? reason.message : reason ? String(reason) : "aborted";
    super(`Import ${importId} interrupted after ${recordsDone} records (${why}); run it again to resume`);
    this.name = "ImportInterruptedError";
    this.importId = importId;
    this.recordsDone = recordsDone;
  }
}

/** "line 3, column 7 (byte 52)" or "byte 1234": the most precise position we have, for messages. */
export function describePosition(loc: ImportErrorLocation): string {
  const byte = loc.byteOffset !== undefined ? `byte ${loc.byteOffset}` : "";
  if (loc.line === undefined) return byte;
  const lineCol = loc.column !== undefined ? `line ${loc.line}, column ${loc.column}` : `line ${loc.line}`;
  return byte ? `${lineCol} (${byte})` : lineCol;
}
