// The taxonomy of a category: the full rank chain, the rank the category itself sits at, and its
// scientific name. Sources are uneven (iNat21 gives every rank; other sets give a name and a few
// ranks), so the rank is worked out from what is there rather than trusted from one field.

export const RANKS = ["kingdom", "phylum", "class", "order", "family", "genus", "species"] as const;
export type Rank = (typeof RANKS)[number];
export type RankChain = Record<Rank, string | null>;

export type CategoryFields = {
  name?: string | null;
  kingdom?: string | null;
  phylum?: string | null;
  class?: string | null;
  order?: string | null;
  family?: string | null;
  genus?: string | null;
  specific_epithet?: string | null;
};

// "Tinca tinca", "Danaus plexippus": a genus and a lowercase epithet, nothing else.
const BINOMIAL = /^([A-Z][a-z]+(?:-[a-z]+)?) ([a-z][a-z-]+)$/;

/** The rank chain, filling genus and epithet from a binomial name when the source leaves them out. */
export function rankChain(c: CategoryFields): RankChain {
  let genus = c.genus ?? null;
  let species = c.specific_epithet ?? null;
  const binomial = c.name ? BINOMIAL.exec(c.name) : null;
  if (binomial && !species && (!genus || genus === binomial[1])) {
    genus = binomial[1];
    species = binomial[2];
  }
  return {
    kingdom: c.kingdom ?? null,
    phylum: c.phylum ?? null,
    class: c.class ?? null,
    order: c.order ?? null,
    family: c.family ?? null,
    genus,
    species,
  };
}

/**
 * The rank of the category itself: species when an epithet is known; otherwise the rank whose value
 * is the category's own name (a genus-level category is named after its genus); otherwise null, for a
 * class the source does not place in the taxonomy (e.g. "Adonis" under order Lepidoptera).
 */
export function categoryRank(name: string | null | undefined, chain: RankChain): Rank | null {
  if (chain.species) return "species";
  if (name) {
    const lower = name.toLowerCase();
    for (let i = RANKS.length - 2; i >= 0; i--) {
      const value = chain[RANKS[i]];
      if (value && value.toLowerCase() === lower) return RANKS[i];
    }
  }
  return null;
}

/** The name stored as taxa.name: the source's name, else the binomial, else the deepest rank named. */
export function scientificName(name: string | null | undefined, chain: RankChain, fallback: string): string {
  if (name) return name;
  if (chain.genus && chain.species) return `${chain.genus} ${chain.species}`;
  for (let i = RANKS.length - 2; i >= 0; i--) {
    const value = chain[RANKS[i]];
    if (value) return value;
  }
  return fallback;
}
