import { describe, expect, it } from "vitest";
import { parseTag, termKind, termLayer } from "../src/tags";
import { loadFixture } from "./fixtures";

interface Case {
  tag: string;
  kind: string | null;
  key: string | null;
  term_kind?: string;
  layer?: string;
}

const fixture = loadFixture<{ tags: Case[] }>("tags.json");

describe("tag contract (shared fixture with tests/test_tags.py)", () => {
  it.each(fixture.tags)("$tag", (c) => {
    const parsed = parseTag(c.tag);
    if (c.kind === null) {
      expect(parsed).toBeNull();
      return;
    }
    expect(parsed).toEqual({ kind: c.kind, key: c.key });
    if (c.key !== null) {
      expect(termKind(c.key)).toBe(c.term_kind);
      expect(termLayer(c.key)).toBe(c.layer);
    }
  });
});

describe("key contract v2", () => {
  it("bare keys are terms of the model itself", () => {
    for (const [key, kind] of [
      ["activity", "activity"],
      ["add_loss", "add_loss"],
      ["kernel", "kernel"],
      ["w", "other"],
      ["variable#2", "other"],
      ["kernel#3", "kernel"],
    ]) {
      expect([termKind(key), termLayer(key)]).toEqual([kind, ""]);
    }
  });

  it("a #N suffix belongs to the whole key", () => {
    expect(termLayer("d/kernel#2")).toBe("d");
    expect(termKind("tower_a/proj/activity#2")).toBe("activity");
    // Only a final #<ASCII digits> is a suffix, as in tags.py.
    expect(termLayer("a#2/kernel")).toBe("a#2");
    expect(termKind("d/kernel#")).toBe("other");
    expect(termKind("d/kernel#\u0662")).toBe("other");
    expect(termKind("d/kernel#2\n")).toBe("other");
  });
});
