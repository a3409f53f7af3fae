import type * as Prisma from "@/generated/prisma/client";

// The database's row types, from one place: Prisma's client generated from prisma/schema.prisma, as
// rows come back from raw SQL through lib/db/client.ts. Two differences from Prisma's own types: BIGINT
// columns arrive as numbers there (client.ts parses INT8; ids stay far below 2^53), and JSON columns are
// typed by the module that owns their shape. Select with camelCase aliases (`file_name AS "fileName"`)
// and type the result as a Pick of these, instead of writing the row's fields out again.

type Read<T> = T extends bigint ? number : T;
/** A Prisma model's fields as node-postgres returns them. */
export type Row<T> = { [K in keyof T]: Read<T[K]> };

export type CollectionRow = Row<Prisma.Collection>;
export type TaxonRow = Row<Prisma.Taxon>;
export type ImageRow = Row<Prisma.Image>;
export type ModelRow = Row<Prisma.Model>;
export type VectorStoreRow = Row<Prisma.VectorStore>;
export type QueryRow = Row<Prisma.Query>;
export type JudgmentRow = Row<Prisma.Judgment>;
export type CandidateRow = Row<Prisma.Candidate>;
