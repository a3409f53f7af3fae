import { describe, expect, it } from "vitest";
import {
  checkFilter,
  FilterError,
  filterToSearchParams,
  isFilterEmpty,
  parseFilterParams,
  parseTaxonArg,
} from "@/lib/filters/filter";

// The filter's checks and its URL and command-line forms (no database: this module is client-safe).

describe("the image filter", () => {
  it("reads its URL parameters and nothing else, and writes them back", () => {
    const p = new URLSearchParams("taxon=Danaus plexippus&rank=species&iconic_group=Insecta&bbox=170,-10,-170,10&k=5");
    const parsed = parseFilterParams(p);
    expect(parsed).toEqual({
      ok: true,
      filter: {
        taxon: "Danaus plexippus",
        rank: "species",
        iconicGroup: "Insecta",
        bbox: { minLon: 170, minLat: -10, maxLon: -170, maxLat: 10 },
      },
    });
    if (parsed.ok) expect(parseFilterParams(filterToSearchParams(parsed.filter))).toEqual(parsed);
    expect(parseFilterParams({ from: ["2024-01-01", "2025-01-01"], to: "2024-01-01" })).toEqual({
      ok: true,
      filter: { from: "2024-01-01", to: "2024-01-01" },
    });
    expect(isFilterEmpty({})).toBe(true);
    expect(isFilterEmpty({ rank: "genus" })).toBe(true); // a rank alone means nothing
    expect(isFilterEmpty({ iconicGroup: "Aves" })).toBe(false);
  });

  it("says what is wrong with a URL's filter", () => {
    expect(parseFilterParams({ bbox: "1,,3,4" })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/four numbers/),
    });
    expect(parseFilterParams({ to: "2023-02-29" })).toEqual({ ok: false, error: "to: Dates are YYYY-MM-DD" });
    expect(parseFilterParams({ from: "2024-01-02", to: "2024-01-01" })).toEqual({
      ok: false,
      error: "from: from is after to",
    });
  });

  it("checks a filter built in code before it reaches SQL, naming the field", () => {
    expect(checkFilter({ taxon: " Danaus ", rank: "genus" })).toEqual({ taxon: "Danaus", rank: "genus" });
    const wrong = (f: object) => {
      try {
        checkFilter(f);
      } catch (e) {
        return e instanceof FilterError ? [e.field, e.detail] : e;
      }
      return "accepted";
    };
    expect(wrong({ from: "2024-13-01" })).toEqual(["from", "Dates are YYYY-MM-DD"]);
    expect(wrong({ from: "2024-02-01", to: "2024-01-01" })).toEqual(["from", "from is after to"]);
    expect(wrong({ bbox: { minLon: 0, minLat: 50, maxLon: 10, maxLat: 40 } })).toEqual([
      "bbox",
      "bbox minLat is greater than maxLat",
    ]);
    expect(wrong({ bbox: { minLon: 0, minLat: 0, maxLon: 190, maxLat: 1 } })).toEqual([
      "bbox",
      "bbox longitudes are within -180..180 and latitudes within -90..90",
    ]);
    expect(wrong({ taxon: { rank: "genus", name: "Danaus" } })).toEqual(["taxon", expect.any(String)]);
  });

  it("reads the command line's rank:name", () => {
    expect(parseTaxonArg("genus:Danaus")).toEqual({ taxon: "Danaus", rank: "genus" });
    expect(parseTaxonArg("Species:Danaus plexippus")).toEqual({ taxon: "Danaus plexippus", rank: "species" });
    expect(parseTaxonArg("subspecies:Danaus plexippus megalippe")).toEqual({
      taxon: "Danaus plexippus megalippe",
      rank: "subspecies",
    });
    expect(parseTaxonArg(" Monarch ")).toEqual({ taxon: "Monarch" });
    expect(parseTaxonArg("Note:with a colon")).toEqual({ taxon: "Note:with a colon" }); // not a rank
  });
});
