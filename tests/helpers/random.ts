// The product's seeded generator (lib/random), so tests draw their data the way the product draws its samples.
export { rng } from "@/lib/random";
