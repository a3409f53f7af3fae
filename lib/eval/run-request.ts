import { findRerankSet } from "@/lib/rerank/read";
import { hasVectors } from "@/lib/vectors/storage";
import { pinModel, type NewRun, type RunKind } from "./runs";

// What someone asks for when they start a run (the runs page's form, the API, `fieldmark eval
// --collection`), checked and turned into the run's row: the models by name (with vectors for the
// collection), the rerank set by its version, k a whole number. A wrong name is said before anything.

export class RunRequestError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = "RunRequestError";
  }
}

export type RunRequest = {
  collectionId: number;
  model: string;
  secondModel?: string | null;
  rerankSetVersion?: number | null;
  k: number;
  command: string;
  createdBy: string | null;
};

export const MAX_RUN_K = 1000;

async function usableModel(name: string, collectionId: number, field: string) {
  const model = await pinModel(name);
  if (!model) throw new RunRequestError(`no model named ${JSON.stringify(name)}`, field);
  if (!(await hasVectors(model.id!, collectionId)))
    throw new RunRequestError(`model "${name}" has no vectors for this collection: embed its images first`, field);
  return model;
}

export async function checkRunRequest(req: RunRequest): Promise<NewRun> {
  if (!Number.isInteger(req.k) || req.k < 1 || req.k > MAX_RUN_K)
    throw new RunRequestError(`k must be a whole number from 1 to ${MAX_RUN_K}`, "k");
  const model = await usableModel(req.model, req.collectionId, "model");
  if (req.secondModel && req.rerankSetVersion)
    throw new RunRequestError(
      "a run is either two-stage (a second model) or a rerank (a rerank set), not both",
      "secondModel",
    );
  const second = req.secondModel ? await usableModel(req.secondModel, req.collectionId, "secondModel") : null;
  let rerankSetId: number | null = null;
  if (req.rerankSetVersion) {
    const set = await findRerankSet(req.collectionId, req.rerankSetVersion);
    if (!set)
      throw new RunRequestError(`the collection has no rerank set version ${req.rerankSetVersion}`, "rerankSet");
    if (!set.builtAt)
      throw new RunRequestError(`rerank set version ${req.rerankSetVersion} is not built yet`, "rerankSet");
    rerankSetId = set.id;
  }
  const kind: RunKind = second ? "two-stage" : rerankSetId ? "rerank" : "full-rank";
  return {
    collectionId: req.collectionId,
    name: second ? `${model.name} → ${second.name}` : model.name,
    kind,
    source: "in-tool",
    model,
    secondModel: second,
    rerankSetId,
    k: req.k,
    command: req.command,
    createdBy: req.createdBy,
  };
}
