import { z } from "zod";
import {
  QueryStatus as PrismaQueryStatusEnum,
  Split as PrismaSplitEnum,
  type QueryStatus as PrismaQueryStatus,
  type Split as PrismaSplit,
} from "@/generated/prisma/enums";

// What a query is made of, and the one schema every way in (editor, API, CSV import) checks it with.
// Free of server imports: the editor uses the suggestions and the schema in the browser too.

/** INQUIRE's four supercategories. */
export const SUPERCATEGORIES = ["Appearance", "Behavior", "Context", "Species"] as const;
export type Supercategory = (typeof SUPERCATEGORIES)[number];

/** INQUIRE's 16 fine categories, spelled as its CSVs spell them; offered as suggestions, free text allowed. */
export const INQUIRE_CATEGORIES = [
  "Sex identification",
  "Tracking and Identification",
  "Life Cycle and Development",
  "Health and Disease",
  "Unique appearances or morphs",
  "Feeding and Hydration",
  "Defensive and Survival Behaviors",
  "Mating, Courtship, Reproduction",
  "Cooperative and Social Behaviors",
  "Miscellaneous Behavior",
  "Animal Structures and Habitats",
  "Human Impact",
  "Miscellaneous Context",
  "Parasitism and Symbiosis",
  "Collected Specimens",
  "Species ID",
] as const;

/** The iconic groups INQUIRE's queries use; free text allowed. */
export const INQUIRE_ICONIC_GROUPS = [
  "Amphibians",
  "Animalia",
  "Arachnids",
  "Birds",
  "Fish",
  "Fungi",
  "Insects",
  "Mammals",
  "Mollusks",
  "Plants",
  "Reptiles",
] as const;

// The schema's enums, so the code and the database cannot disagree.
export type Split = PrismaSplit;
export const SPLITS = Object.values(PrismaSplitEnum) as [Split, ...Split[]];
export type QueryStatus = PrismaQueryStatus;
export const QUERY_STATUSES = Object.values(PrismaQueryStatusEnum) as [QueryStatus, ...QueryStatus[]];

/** One taxon the query is limited to, at any rank (several are allowed: the scope is their union). */
export type TaxonScopeEntry = { rank: string; name: string };

const optionalText = (max: number, what: string) =>
  z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? null : v),
    z.string().trim().max(max, `${what} is at most ${max} characters`).nullable().default(null),
  );

export const taxonScopeSchema = z
  .array(z.object({ rank: z.string().trim().min(1).max(40), name: z.string().trim().min(1).max(200) }), {
    message: "The taxon scope is a list of {rank, name}",
  })
  .max(50, "A taxon scope holds at most 50 taxa")
  .default([]);

export const queryFieldsSchema = z.object({
  // Not trimmed: INQUIRE has queries with trailing spaces, and the text is kept exactly as written.
  text: z
    .string({ message: "Write the query text" })
    .refine((t) => t.trim().length > 0, "Write the query text")
    .refine((t) => t.length <= 1000, "The query text is at most 1000 characters"),
  supercategory: z
    .enum(SUPERCATEGORIES, { message: `The supercategory is one of ${SUPERCATEGORIES.join(", ")}` })
    .nullable()
    .default(null),
  category: optionalText(200, "The category"),
  iconicGroup: optionalText(100, "The iconic group"),
  taxonScope: taxonScopeSchema,
  notes: optionalText(10_000, "The notes"),
  /** source ids of images in the query's collection */
  examples: z.array(z.string().min(1).max(1000)).max(20, "At most 20 example images").default([]),
  split: z.enum(SPLITS, { message: "The split is val or test" }).nullable().default(null),
});

export type QueryFields = z.output<typeof queryFieldsSchema>;
export type QueryFieldsInput = z.input<typeof queryFieldsSchema>;

/** A query id as users see it: INQUIRE's query_id, or the number Fieldmark gave a new query. */
export const queryIdSchema = z
  .string()
  .min(1, "The query id is empty")
  .max(200, "A query id is at most 200 characters")
  .refine((s) => s.trim() === s, "A query id has no leading or trailing spaces");
