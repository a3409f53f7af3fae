// What can go wrong fetching a model from the hub, each in words a user can act on. `code` lets the CLI,
// the worker and the tests tell them apart; `message` never carries a token.

export type HubFetchErrorCode =
  | "bad-input"
  | "unreachable"
  | "not-found"
  | "revision-not-found"
  | "gated"
  | "unauthorized"
  | "no-onnx"
  | "missing-files"
  | "checksum"
  | "size"
  | "name-taken"
  | "aborted"
  | "hub-error";

export class HubFetchError extends Error {
  constructor(
    readonly code: HubFetchErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "HubFetchError";
  }
}

export const EXPORT_SCRIPT_HINT =
  "To make an ONNX export of an OpenCLIP model yourself, run scripts/export-openclip.py (README: Export your own), then `fieldmark models add <folder>`.";
