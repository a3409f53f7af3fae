import { describe, expect, it } from "vitest";
import { parseImageQuery } from "@/lib/browse/filters";
import { filterToSearchParams } from "@/lib/filters/filter";
import { collectionPath, imagePagePath, pageParam, thumbnailUrl } from "@/lib/browse/urls";
import { decodeCursor, encodeCursor } from "@/lib/browse/images";

const parse = (qs: string) => parseImageQuery(new URLSearchParams(qs));

describe("image filters in URLs", () => {
  it("parse every filter, and round-trip", () => {
    const r = parse(
      "taxon=Papilionidae&rank=family&iconic_group=Insecta&from=2023-01-01&to=2023-06-30&bbox=-10,35,30,60&cursor=abc&limit=20",
    );
    expect(r).toEqual({
      ok: true,
      query: {
        filter: {
          taxon: "Papilionidae",
          rank: "family",
          iconicGroup: "Insecta",
          from: "2023-01-01",
          to: "2023-06-30",
          bbox: { minLon: -10, minLat: 35, maxLon: 30, maxLat: 60 },
        },
        cursor: "abc",
        limit: 20,
      },
    });
    if (r.ok)
      expect(parse(filterToSearchParams(r.query.filter).toString())).toMatchObject({
        query: { filter: r.query.filter },
      });
  });

  it("treat blank fields as absent (an empty form)", () => {
    expect(parse("taxon=&rank=&iconic_group=&from=&to=&bbox=")).toEqual({
      ok: true,
      query: { filter: {}, cursor: undefined, limit: undefined },
    });
    expect(parse("rank=family")).toMatchObject({ query: { filter: {} } }); // a rank alone means nothing
  });

  it("explain what is wrong", () => {
    expect(parse("from=2023-13-01")).toEqual({ ok: false, error: "from: Dates are YYYY-MM-DD" });
    expect(parse("from=2024-01-01&to=2023-01-01")).toEqual({ ok: false, error: "from: from is after to" });
    expect(parse("bbox=1,2,3")).toMatchObject({ ok: false, error: expect.stringMatching(/four numbers/) });
    expect(parse("bbox=0,95,10,96")).toMatchObject({ ok: false, error: expect.stringMatching(/-90..90/) });
    expect(parse("bbox=0,50,10,40")).toMatchObject({ ok: false, error: expect.stringMatching(/minLat is greater/) });
    expect(parse("rank=Family;drop&taxon=x")).toMatchObject({ ok: false, error: expect.stringMatching(/^rank:/) });
    expect(parse("limit=5000")).toMatchObject({ ok: false, error: expect.stringMatching(/^limit:/) });
  });

  it("build page and API paths with the source id as one encoded segment", () => {
    expect(imagePagePath("my photos", "oak/field trip/01.jpg")).toBe(
      "/collections/my%20photos/images/oak%2Ffield%20trip%2F01.jpg",
    );
    expect(thumbnailUrl("c", "a/b")).toBe("/api/collections/c/images/a%2Fb/thumbnail");
    expect(collectionPath("c", { iconicGroup: "Aves" })).toBe("/collections/c?iconic_group=Aves");
    expect(pageParam("oak%2Ffield%20trip%2F01.jpg")).toBe("oak/field trip/01.jpg");
    expect(pageParam("100%")).toBe("100%"); // not valid encoding: left as is
  });

  it("cursors are opaque and checked", () => {
    expect(decodeCursor(encodeCursor(12345))).toBe(12345);
    expect(() => decodeCursor("garbage")).toThrow(/cursor/);
  });
});
