import { describe, expect, it } from "vitest";
import { isPublicPage, safeNextPath, signInPathFor } from "@/lib/auth/paths";

describe("sign-in redirects", () => {
  it("only ever return to a path on this site", () => {
    expect(safeNextPath("/collections/a?taxon=x")).toBe("/collections/a?taxon=x");
    for (const bad of [
      "https://evil.example",
      "//evil.example/x",
      "/\\evil.example",
      "javascript:alert(1)",
      "",
      undefined,
      42,
    ]) {
      expect(safeNextPath(bad)).toBe("/");
    }
  });

  it("refuse tabs, newlines, backslashes, encoded slashes and anything another origin parses from", () => {
    for (const bad of [
      "/\t/evil.example", // a tab: browsers drop it, leaving //evil.example
      "/\n/evil.example",
      "/\r\n/evil.example",
      "\t//evil.example",
      "/\u0000/evil.example",
      "/a\\b", // a backslash anywhere
      "\\\\evil.example",
      "/\\/evil.example",
      "/%09/evil.example", // the same, percent-encoded
      "/%0a/evil.example",
      "/%0D%0A/evil.example",
      "/%00",
      "/%5c/evil.example",
      "/%5Cevil.example",
      "/%255c/evil.example", // encoded twice
      "/%2f/evil.example", // decodes to //evil.example
      "/%2F%2Fevil.example",
      "/%252F%252Fevil.example",
      "///evil.example",
      "//evil.example",
      "http://evil.example/",
      "https:/evil.example",
      " /collections", // not starting with /
      "/" + "a".repeat(3000), // longer than any path of ours
    ]) {
      expect(safeNextPath(bad), JSON.stringify(bad)).toBe("/");
    }
  });

  it("keep this site's own paths, encoded characters and all", () => {
    for (const good of [
      "/",
      "/collections",
      "/collections/garden%20survey/queries?split=val&page=2",
      "/collections/c/images/oak%2Ffield%20trip%2F01.jpg", // folder imports' ids hold slashes
      "/collections/c/search?text=red%20fox#results",
      "/collections/50%25",
    ]) {
      expect(safeNextPath(good), good).toBe(good);
    }
  });

  it("carry the page to come back to", () => {
    expect(signInPathFor("/collections/garden")).toBe("/sign-in?next=%2Fcollections%2Fgarden");
    expect(signInPathFor("/")).toBe("/sign-in");
    expect(signInPathFor(null)).toBe("/sign-in");
  });

  it("know which pages are public", () => {
    expect(isPublicPage("/sign-in")).toBe(true);
    expect(isPublicPage("/setup")).toBe(true);
    expect(isPublicPage("/collections")).toBe(false);
    expect(isPublicPage("/admin/users")).toBe(false);
  });
});
