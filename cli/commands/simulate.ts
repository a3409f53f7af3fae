import { InvalidArgumentError, type Command } from "commander";
import { readTruth } from "@/lib/simulate/truth";
import { simulate, STRATEGIES, type Strategy } from "@/lib/simulate/simulate";
import { progressBar } from "../progress";
import { printJson, withDatabase } from "../run";
import { collectionNamed, modelNamed } from "./lookup";

// `fieldmark simulate`: replays a perfect expert against a known truth on the product's own path, to
// measure what active learning and the stopping signals buy. See lib/simulate/simulate.ts.

const HELP = `
For each query of the truth file and each strategy, a scratch query is made in the collection with
--seed-positives random relevant images as its examples, and a simulated expert judges what the
judging queue serves, answering from the truth file. Rankers see image embeddings only: no query text
and no metadata. Scratch queries and the simulated expert are deleted afterwards.

Strategies:
  static  rank once by similarity to the seed images; stop by INQUIRE's rule (100 not relevant in a row)
  cal     active learning (BMI's rounds, audits mixed in); stop when the query looks complete

Per query and strategy: judgments spent until the stop (audits included), recall at the stop (over the
relevant images other than the seeds), judgments needed to reach 95% recall (judging on past the stop
when needed), and the recall estimate's 95% interval at the stop (cal).
The same --random-seed gives the same output.`;

function whole(name: string, min: number) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}`);
    return n;
  };
}

function strategies(v: string): Strategy[] {
  const list = v.split(",").map((s) => s.trim());
  const bad = list.find((s) => !(STRATEGIES as readonly string[]).includes(s));
  if (bad) throw new InvalidArgumentError(`unknown strategy ${JSON.stringify(bad)} (use ${STRATEGIES.join(", ")})`);
  return list as Strategy[];
}

export function registerSimulateCommand(program: Command): void {
  program
    .command("simulate")
    .description("replay a perfect expert against a known truth: judgments, recall and intervals per strategy")
    .requiredOption("--collection <name>", "the collection")
    .requiredOption("--model <name>", "the model whose vectors the rankers use")
    .requiredOption("--truth <csv>", "query_id,image_id rows, one per relevant pair (the collection's image ids)")
    .option("--seed-positives <n>", "random relevant images each query starts from", whole("--seed-positives", 1), 1)
    .option("--strategies <list>", "comma-separated: static, cal", strategies, ["static", "cal"] as Strategy[])
    .option("--random-seed <n>", "seeds every random choice", whole("--random-seed", 0), 1)
    .option("--json", "print the report as JSON")
    .addHelpText("after", HELP)
    .action(
      async (o: {
        collection: string;
        model: string;
        truth: string;
        seedPositives: number;
        strategies: Strategy[];
        randomSeed: number;
        json?: boolean;
      }) =>
        withDatabase(async () => {
          const collection = await collectionNamed(o.collection);
          const model = await modelNamed(o.model);
          const truth = await readTruth(o.truth, collection.id);
          const bar = progressBar("simulate");
          const report = await simulate({
            collectionId: collection.id,
            modelId: model.id,
            truth,
            seedPositives: o.seedPositives,
            strategies: o.strategies,
            randomSeed: o.randomSeed,
            onProgress: (done, total, label) => bar.update(done, total, label),
          });
          bar.end();
          if (o.json) return printJson(report);
          const f = (x: number | null, d = 1) => (x === null ? "-" : x.toFixed(d));
          console.log("strategy  queries  judgments  recall  to-95%  reached-95%  ci-coverage");
          for (const [name, s] of Object.entries(report.strategies))
            console.log(
              `${name.padEnd(8)}  ${String(s.queries).padStart(7)}  ${f(s.judgments).padStart(9)}  ${f(s.recall, 3).padStart(6)}  ${f(s.judgments_to_95).padStart(6)}  ${String(s.reached_95).padStart(11)}  ${f(s.ci_coverage, 2).padStart(11)}`,
            );
        }),
    );
}
