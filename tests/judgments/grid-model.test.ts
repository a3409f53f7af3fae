import { describe, expect, it } from "vitest";
import {
  applyKeyAction,
  currentPage,
  focusCard,
  focusedCard,
  goToPage,
  heldImageIds,
  initialGrid,
  judge,
  markRestNotRelevant,
  moveFocus,
  receivePage,
  setMode,
  undo,
  type GridState,
  type StepInputs,
} from "@/lib/judgments/grid-model";
import type { QueueCandidate } from "@/lib/judgments/queue";

// The judging grid without a browser: pages are plain arrays, client ids a counter, time spent a table.

function cards(prefix: string, count: number): QueueCandidate[] {
  return Array.from({ length: count }, (_, i) => ({
    imageId: `${prefix}-${i}`,
    source: "text-image",
    sources: ["text-image"],
    rank: i + 1,
    score: 1 - i / 100,
    width: 160,
    height: 120,
    status: "ok" as const,
    statusReason: null,
    taxon: null,
  }));
}

/** Inputs with predictable client ids (c1, c2, ...) and 700 ms spent on each image, taken once. */
function inputs(prefetched?: QueueCandidate[]): StepInputs & { taken: string[] } {
  let n = 0;
  const taken: string[] = [];
  return {
    prefetched,
    clientId: () => `c${++n}`,
    timeSpentMs: (imageId) => {
      taken.push(imageId);
      return 700;
    },
    taken,
  };
}

/** A grid showing `first` as its only page. */
const gridWith = (first: QueueCandidate[], readOnly = false): GridState => receivePage(initialGrid(readOnly), first);

describe("the judging grid's model", () => {
  it("shows the first page that arrives, focused on its first card", () => {
    expect(receivePage(initialGrid(), [])).toEqual(initialGrid()); // an empty answer shows nothing
    const s = gridWith(cards("a", 4));
    expect(s.pages).toHaveLength(1);
    expect(s.current).toBe(0);
    expect(focusedCard(s)?.imageId).toBe("a-0");
  });

  it("judges the focused card, writes it once with its time spent, and moves to the next unjudged card", () => {
    const io = inputs();
    let s = gridWith(cards("a", 4));
    const step = judge(s, "relevant", io);
    expect(step.writes).toEqual([
      { clientId: "c1", imageId: "a-0", value: "relevant", source: "text-image", timeSpentMs: 700 },
    ]);
    s = step.state;
    expect(s.judged).toEqual({ "a-0": "relevant" });
    expect(s.lastWrite).toEqual({ "a-0": "c1" });
    expect(s.undoStack).toEqual([{ page: 0, changes: [{ imageId: "a-0", before: null, source: "text-image" }] }]);
    expect(s.focus).toBe(1);
    expect(step.pageAsked).toBe(false);

    // judged cards are skipped, wrapping round to the start of the page
    s = judge(focusCard(s, 3), "unsure", io).state;
    expect(s.focus).toBe(1);
    // the same value again writes nothing and keeps no undo step, but still moves on
    const again = judge(focusCard(s, 0), "relevant", io);
    expect(again.writes).toEqual([]);
    expect(again.state.undoStack).toHaveLength(2);
    expect(again.state.focus).toBe(1);
    // a changed value is written, and its undo step remembers what it was
    const changed = judge(focusCard(s, 0), "not_relevant", io);
    expect(changed.writes.map((w) => [w.imageId, w.value])).toEqual([["a-0", "not_relevant"]]);
    expect(changed.state.undoStack.at(-1)?.changes[0].before).toBe("relevant");
    expect(io.taken).toEqual(["a-0", "a-3", "a-0"]);
  });

  it("judges nothing in a read-only grid", () => {
    const s = gridWith(cards("a", 3), true);
    for (const step of [judge(s, "relevant", inputs()), markRestNotRelevant(s, inputs()), undo(s, inputs())]) {
      expect(step.writes).toEqual([]);
      expect(step.state).toBe(s);
    }
  });

  it("goes to the page fetched ahead when the last card of a page is judged, or waits for it", () => {
    const first = cards("a", 2);
    const second = cards("b", 2);
    let s = judge(gridWith(first), "relevant", inputs(second)).state;
    const ahead = judge(s, "not_relevant", inputs(second));
    expect(ahead.pageAsked).toBe(true);
    expect(ahead.state.pages).toEqual([first, second]);
    expect(ahead.state.current).toBe(1);
    expect(focusedCard(ahead.state)?.imageId).toBe("b-0");

    // not fetched yet: the grid waits on the judged page, and shows the page the moment it arrives
    const waiting = judge(s, "not_relevant", inputs(undefined));
    expect(waiting.state.wantNext).toBe(true);
    expect(waiting.state.current).toBe(0);
    s = receivePage(waiting.state, second);
    expect(s.current).toBe(1);
    expect(s.wantNext).toBe(false);
    expect(heldImageIds(s)).toEqual(["a-0", "a-1", "b-0", "b-1"]);
  });

  it("pages back and forth with [ and ], using the page fetched ahead at once", () => {
    const first = cards("a", 3);
    const second = cards("b", 3);
    let s = judge(gridWith(first), "relevant", inputs()).state;
    expect(goToPage(s, -1).state).toBe(s); // before the first page: nothing
    expect(goToPage(s, -1).pageAsked).toBe(false);

    const next = applyKeyAction(s, "nextPage", 6, inputs(second))!;
    expect(next.pageAsked).toBe(true);
    expect(next.state.current).toBe(1);
    expect(currentPage(next.state)).toBe(second);

    // back to a page held: the focus goes to its first unjudged card
    s = applyKeyAction(next.state, "previousPage", 6, inputs())!.state;
    expect(s.current).toBe(0);
    expect(s.focus).toBe(1);
    // forward again: the page is held, nothing new is appended
    s = applyKeyAction(s, "nextPage", 6, inputs(cards("c", 3)))!.state;
    expect(s.pages).toEqual([first, second]);
    expect(s.current).toBe(1);

    // a page that arrives while nobody waits for it is kept for later, not shown
    expect(receivePage(s, cards("c", 3))).toBe(s);
    const asked = applyKeyAction(s, "nextPage", 6, inputs(undefined))!;
    expect(asked.state.wantNext).toBe(true);
    expect(receivePage(asked.state, []).current).toBe(1); // an empty answer: still waiting
    expect(receivePage(asked.state, cards("c", 3)).current).toBe(2);
    // going back cancels the wait
    expect(applyKeyAction(asked.state, "previousPage", 6, inputs())!.state.wantNext).toBe(false);
  });

  it("undoes a judgment made on the previous page by going back to that page", () => {
    const io = inputs(cards("b", 2));
    let s = gridWith(cards("a", 2));
    s = judge(s, "relevant", io).state;
    s = judge(s, "unsure", io).state; // the last of page 0: on to page 1
    s = judge(s, "not_relevant", io).state; // b-0
    expect(s.current).toBe(1);

    let step = undo(s, io);
    expect(step.writes).toEqual([
      { clientId: "c4", imageId: "b-0", value: null, source: "text-image", timeSpentMs: 0 },
    ]);
    expect(step.pageAsked).toBe(false);
    s = step.state;
    expect([s.current, s.focus]).toEqual([1, 0]);

    step = undo(s, io);
    expect(step.pageAsked).toBe(true);
    s = step.state;
    expect(s.current).toBe(0);
    expect(focusedCard(s)?.imageId).toBe("a-1");
    expect(s.judged).toEqual({ "a-0": "relevant" });
    expect(s.lastWrite).toEqual({ "a-0": "c1", "a-1": "c5", "b-0": "c4" });
    expect(s.undoStack).toHaveLength(1);
    expect(io.taken).toEqual(["a-0", "a-1", "b-0"]); // undo takes no time spent

    s = undo(s, io).state;
    expect(s.judged).toEqual({});
    expect(undo(s, io).writes).toEqual([]); // nothing left to undo
  });

  it("undo puts back a changed judgment's earlier value", () => {
    const io = inputs();
    let s = judge(gridWith(cards("a", 3)), "relevant", io).state;
    s = judge(focusCard(s, 0), "unsure", io).state;
    const step = undo(s, io);
    expect(step.writes.map((w) => w.value)).toEqual(["relevant"]);
    expect(step.state.judged).toEqual({ "a-0": "relevant" });
    expect(step.state.focus).toBe(0);
  });

  it("marks the rest of the page not relevant in one undo step, and one undo brings them all back", () => {
    const io = inputs(cards("b", 2));
    let s = gridWith(cards("a", 4));
    s = judge(focusCard(s, 2), "relevant", io).state;
    const step = markRestNotRelevant(s, io);
    expect(step.writes.map((w) => [w.imageId, w.value])).toEqual([
      ["a-0", "not_relevant"],
      ["a-1", "not_relevant"],
      ["a-3", "not_relevant"],
    ]);
    expect(io.taken).toEqual(["a-2", "a-0", "a-1", "a-3"]);
    s = step.state;
    expect(s.current).toBe(1);
    expect(s.undoStack).toHaveLength(2);
    expect(s.judged).toEqual({
      "a-0": "not_relevant",
      "a-1": "not_relevant",
      "a-2": "relevant",
      "a-3": "not_relevant",
    });

    const back = undo(s, io);
    expect(back.writes.map((w) => [w.imageId, w.value])).toEqual([
      ["a-0", null],
      ["a-1", null],
      ["a-3", null],
    ]);
    expect(back.state.current).toBe(0);
    expect(back.state.focus).toBe(0);
    expect(back.state.judged).toEqual({ "a-2": "relevant" });
    // a page with nothing left to mark: nothing happens
    const done = markRestNotRelevant(judge(gridWith(cards("c", 1)), "relevant", inputs()).state, inputs());
    expect(done.writes).toEqual([]);
  });

  it("moves the focus by one or by a row, stopping at the page's edges", () => {
    const s = gridWith(cards("a", 10));
    expect(applyKeyAction(s, "left", 4, inputs())!.state.focus).toBe(0);
    expect(applyKeyAction(s, "up", 4, inputs())!.state.focus).toBe(0);
    expect(applyKeyAction(s, "right", 4, inputs())!.state.focus).toBe(1);
    expect(applyKeyAction(s, "down", 4, inputs())!.state.focus).toBe(4);
    const last = focusCard(s, 9);
    expect(applyKeyAction(last, "right", 4, inputs())!.state.focus).toBe(9);
    expect(applyKeyAction(last, "up", 4, inputs())!.state.focus).toBe(5);
    expect(applyKeyAction(focusCard(s, 7), "down", 4, inputs())!.state.focus).toBe(9); // a short last row
    expect(applyKeyAction(focusCard(s, 2), "up", 4, inputs())!.state.focus).toBe(0);
    expect(moveFocus(initialGrid(), 1)).toEqual(initialGrid()); // no page yet
  });

  it("keys open the full image, ask before marking the rest, and judge from the full image", () => {
    const io = inputs();
    let s = gridWith(cards("a", 3));
    expect(applyKeyAction(initialGrid(), "open", 6, io)!.state.mode).toBe("grid"); // nothing to open
    s = applyKeyAction(s, "open", 6, io)!.state;
    expect(s.mode).toBe("viewer");
    s = applyKeyAction(s, "right", 6, io)!.state; // the full image follows the focus
    expect([s.mode, s.focus]).toEqual(["viewer", 1]);
    const judged = applyKeyAction(s, "unsure", 6, io)!;
    expect(judged.writes.map((w) => w.imageId)).toEqual(["a-1"]);
    expect([judged.state.mode, judged.state.focus]).toEqual(["grid", 2]);
    expect(applyKeyAction(s, "close", 6, io)!.state.mode).toBe("grid");

    // read-only: the full image opens, a judging key there does nothing, and the rest is not offered
    const readOnly = applyKeyAction(gridWith(cards("a", 3), true), "open", 6, io)!.state;
    expect(applyKeyAction(readOnly, "relevant", 6, io)!.state).toBe(readOnly);
    expect(applyKeyAction(setMode(readOnly, "grid"), "markRest", 6, io)!.state.mode).toBe("grid");

    s = applyKeyAction(judged.state, "markRest", 6, io)!.state;
    expect(s.mode).toBe("confirm");
    expect(applyKeyAction(s, "cancel", 6, io)!.state.mode).toBe("grid");
    const confirmed = applyKeyAction(s, "confirm", 6, io)!;
    expect(confirmed.state.mode).toBe("grid");
    expect(confirmed.writes.map((w) => w.imageId)).toEqual(["a-0", "a-2"]);
    expect(applyKeyAction(s, "fewerColumns", 6, io)).toBeNull(); // the grid's settings, not its state

    s = applyKeyAction(judged.state, "help", 6, io)!.state;
    expect(s.mode).toBe("help");
    expect(applyKeyAction(s, "close", 6, io)!.state.mode).toBe("grid");
  });
});
