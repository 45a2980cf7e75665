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
    if (c.term_kind !== undefined) expect(termKind(c.key!)).toBe(c.term_kind);
    if (c.layer !== undefined) expect(termLayer(c.key!)).toBe(c.layer);
  });
});
