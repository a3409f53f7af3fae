import { describe, expect, it } from "vitest";
import {
  actionFor,
  helpSections,
  judgingKeys,
  KEYMAP,
  keyHint,
  keysFor,
  MODE_TITLES,
  type GridMode,
} from "@/lib/judgments/keymap";

// The one table of the grid's keys: what each key means in each mode, and the key list drawn from it.

const MODES = Object.keys(MODE_TITLES) as GridMode[];

describe("the judging keymap", () => {
  it("gives every key at most one action in each mode", () => {
    for (const mode of MODES) {
      const keys = KEYMAP.filter((b) => b.modes.includes(mode)).flatMap((b) => b.keys);
      expect(keys, mode).toEqual([...new Set(keys)]);
    }
  });

  it("reads a key press by mode: one key can mean different things in the grid and in a dialog", () => {
    expect(actionFor({ key: "n" }, "grid")).toBe("not_relevant");
    expect(actionFor({ key: "n" }, "confirm")).toBe("cancel");
    expect(actionFor({ key: "Enter" }, "grid")).toBe("open");
    expect(actionFor({ key: "Enter" }, "viewer")).toBe("close");
    expect(actionFor({ key: "Enter" }, "confirm")).toBe("confirm");
    expect(actionFor({ key: "y" }, "confirm")).toBe("confirm");
    expect(actionFor({ key: "Escape" }, "confirm")).toBe("cancel");
    expect(actionFor({ key: "?" }, "grid")).toBe("help");
    expect(actionFor({ key: "?" }, "help")).toBe("close");
    expect(actionFor({ key: "j" }, "grid")).toBe("down");
    expect(actionFor({ key: "j" }, "viewer")).toBeNull(); // up and down have no meaning in the full image
    expect(actionFor({ key: "l" }, "viewer")).toBe("right");
    expect(actionFor({ key: "r" }, "help")).toBeNull(); // the key list judges nothing
    expect(actionFor({ key: "=" }, "grid")).toBe("fewerColumns");
    expect(actionFor({ key: "-" }, "grid")).toBe("moreColumns");
  });

  it("takes letters in either case, and leaves keys with Ctrl, Alt or Cmd to the browser", () => {
    expect(actionFor({ key: "R" }, "grid")).toBe("relevant");
    expect(actionFor({ key: "Z" }, "grid")).toBe("undo");
    expect(actionFor({ key: "r", ctrlKey: true }, "grid")).toBeNull();
    expect(actionFor({ key: "z", metaKey: true }, "grid")).toBeNull();
    expect(actionFor({ key: "n", altKey: true }, "grid")).toBeNull();
    expect(actionFor({ key: "x" }, "grid")).toBeNull();
    expect(actionFor({ key: "Tab" }, "grid")).toBeNull();
  });

  it("names the keys for an action, main key first, and says so when there is none", () => {
    expect(keysFor("open")).toEqual([" ", "Enter"]);
    expect(keysFor("close", "help")).toEqual(["Escape", "?"]);
    expect(keyHint("undo")).toBe("z");
    expect(keyHint("cancel", "confirm")).toBe("Esc");
    expect(() => keysFor("undo", "viewer")).toThrow("no key for undo in viewer");
    expect(judgingKeys()).toEqual({
      r: "relevant",
      "1": "relevant",
      n: "not_relevant",
      "0": "not_relevant",
      u: "unsure",
    });
  });

  it("the key list shows every binding in every mode it works in, confirm keys included", () => {
    const sections = helpSections();
    expect(sections.map((s) => s.mode)).toEqual(MODES);
    let rows = 0;
    for (const binding of KEYMAP) {
      for (const mode of binding.modes) {
        const section = sections.find((s) => s.mode === mode)!;
        expect(
          section.rows.map((r) => r.description),
          `${binding.action} in ${mode}`,
        ).toContain(binding.description);
        rows += 1;
      }
    }
    expect(sections.flatMap((s) => s.rows)).toHaveLength(rows);
    const confirm = sections.find((s) => s.mode === "confirm")!;
    expect(confirm.rows.map((r) => r.keys)).toEqual([
      ["Enter", "y"],
      ["Esc", "n"],
    ]);
    const grid = sections.find((s) => s.mode === "grid")!;
    expect(grid.rows[0].keys).toEqual(["←", "h"]);
    expect(grid.rows.find((r) => r.description.startsWith("open"))?.keys).toEqual(["Space", "Enter"]);
  });
});
