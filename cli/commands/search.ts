import { type Command, InvalidArgumentError, Option } from "commander";
import { bboxParamSchema, daySchema, parseTaxonArg, type BoundingBox, type ImageFilter } from "@/lib/filters/filter";
import { searchCollection } from "@/lib/search/search-collection";
import type { SearchResult } from "@/lib/search/vector-search";
import { printJson, withDatabase } from "../run";

// fieldmark search --collection <c> --model <m> (--text "..." | --image <image id>) [--k N]
//   [--taxon <name>] [--iconic-group <g>] [--from <date>] [--to <date>] [--bbox ...] [--json]
// fieldmark search --collection <c> --metadata "..."   (taxonomy full-text search, no model)

type SearchOpts = {
  collection: string;
  model?: string;
  text?: string;
  image?: string;
  metadata?: string;
  k: number;
  taxon?: string;
  iconicGroup?: string;
  from?: string;
  to?: string;
  bbox?: BoundingBox;
  exact?: boolean;
  efSearch?: number;
  json?: boolean;
};

function positiveInt(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

/**
 * A day of the date filter (lib/filters: whole UTC days, both ends inclusive): "2024-05-31", or an ISO
 * time, which stands for its UTC day.
 */
function day(v: string): string {
  if (daySchema.safeParse(v).success) return v;
  const time = /^\d{4}-\d{2}-\d{2}T/.test(v) ? new Date(v) : undefined;
  if (!time || Number.isNaN(time.getTime()))
    throw new InvalidArgumentError(`not a date: ${v} (use 2024-05-31 or an ISO time)`);
  return time.toISOString().slice(0, 10);
}

function bbox(v: string): BoundingBox {
  const parsed = bboxParamSchema.safeParse(v);
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0].message);
  return parsed.data;
}

export async function runSearch(opts: SearchOpts): Promise<SearchResult[]> {
  const modes = [opts.text, opts.image, opts.metadata].filter((x) => x !== undefined).length;
  if (modes !== 1) throw new Error("give exactly one of --text, --image or --metadata");
  const filters: ImageFilter = {
    ...(opts.taxon && parseTaxonArg(opts.taxon)),
    ...(opts.iconicGroup && { iconicGroup: opts.iconicGroup }),
    ...(opts.from && { from: opts.from }),
    ...(opts.to && { to: opts.to }),
    ...(opts.bbox && { bbox: opts.bbox }),
  };
  if (opts.metadata === undefined && !opts.model) throw new Error("--model is required for --text and --image");
  const answer = await searchCollection({
    collection: opts.collection,
    model: opts.model,
    text: opts.text,
    image: opts.image,
    metadata: opts.metadata,
    k: opts.k,
    filters,
    strategy: opts.exact ? "exact" : "auto",
    efSearch: opts.efSearch,
  });
  return answer.results;
}

export function registerSearchCommand(program: Command): void {
  program
    .command("search")
    .description(
      "search a collection: text to images, similar images, or taxonomy text; filters apply inside the search",
    )
    .requiredOption("--collection <name>", "collection name")
    .option("--model <name>", "embedding model (for --text and --image)")
    .option("--text <query>", "text to images, through the model's text tower")
    .option("--image <image id>", "images similar to this image (its id in the collection)")
    .option("--metadata <query>", "full-text search over taxon names, common names and ranks")
    .option("--k <n>", "number of results", positiveInt("--k"), 100)
    .option("--taxon <name>", 'only this taxon\'s subtree: a name at any rank, or rank:name ("genus:Danaus")')
    .option("--iconic-group <group>", "only this iconic group (Aves, Insecta, ...)")
    .option("--from <date>", "observed on or after this day (UTC; an ISO time stands for its day)", day)
    .option("--to <date>", "observed on or before this day, the whole day (UTC)", day)
    .option("--bbox <minLon,minLat,maxLon,maxLat>", "observed inside this box", bbox)
    .option("--exact", "exact scan instead of the HNSW index")
    .addOption(
      new Option("--ef-search <n>", "HNSW candidate list size").argParser(positiveInt("--ef-search")).hideHelp(),
    )
    .option("--json", 'print JSON: [{"image_id": ..., "score": ...}], best first')
    .action(async (opts: SearchOpts) => {
      const results = await withDatabase(() => runSearch(opts));
      if (opts.json) {
        printJson(results.map((r) => ({ image_id: r.sourceId, score: r.score })));
        return;
      }
      if (results.length === 0) console.log("no results");
      results.forEach((r, i) => console.log(`${String(i + 1).padStart(4)}  ${r.score.toFixed(4)}  ${r.sourceId}`));
    });
}
