// Collections and their import formats (train.json, CSV manifest, folder). No HTTP in here: the CLI,
// route handlers and workers all call these.
export { importCollection, type ImportOptions, type ImportProgress, type ImportResult } from "./import";
export type { ImportPhase } from "./import-jobs";
export { listCollections, type CollectionSummary } from "./list";
export {
  ImportError,
  ImportInterruptedError,
  describePosition,
  type ImportErrorCode,
  type ImportErrorLocation,
} from "./errors";
export { resolveImagesRoot, pathWithinRoot, type ImagesRoot } from "./images-root";
export type { SourceKind } from "./source";
