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
