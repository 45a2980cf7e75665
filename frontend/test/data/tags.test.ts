import { describe, expect, it } from "vitest";
import { DYNAMICS_QUANTITIES, parseDynamicsName, parseTag, parseUnverified, termKind, termLayer } from "../../src/data/tags";
import { loadFixture } from "../fixtures";

interface Case {
  tag: string;
  kind: string | null;
  key: string | null;
  term_kind?: string;
  layer?: string;
}

interface DynamicsCase {
  tag: string;
  quantity: string | null;
  key: string | null;
}

interface UnverifiedCase {
  content: string;
  mark: { regloss: number; keras: number; keras_version: string } | null;
}

const fixture = loadFixture<{ tags: Case[]; dynamics: DynamicsCase[]; unverified: UnverifiedCase[] }>("tags.json");

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

describe("dynamics tags (shared fixture with tests/test_tags.py)", () => {
  const PREFIX = "regloss/dynamics/";
  it.each(fixture.dynamics)("$tag", (c) => {
    const parsed = c.tag.startsWith(PREFIX) ? parseDynamicsName(c.tag.slice(PREFIX.length)) : null;
    expect(parsed).toEqual(c.quantity === null ? null : { quantity: c.quantity, key: c.key });
  });
});

describe("unverified marks (shared fixture with tests/test_tags.py)", () => {
  const served = (content: string): unknown => {
    try {
      return JSON.parse(content);
    } catch {
      return content; // not JSON: served as text, if at all
    }
  };
  it.each(fixture.unverified)("$content", (c) => {
    const expected = c.mark === null ? null : { regloss: c.mark.regloss, keras: c.mark.keras, kerasVersion: c.mark.keras_version };
    expect(parseUnverified(served(c.content))).toEqual(expected);
  });

  it("refuses non-finite numbers and non-objects", () => {
    for (const x of [null, undefined, 1, [0.75, 0.5, "3.16.0"], { regloss: NaN, keras: 0.5, keras_version: "3.16.0" }]) {
      expect(parseUnverified(x)).toBeNull();
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

describe("parseDynamicsName", () => {
  it("splits a dynamics series name into quantity and key, the key keeping its slashes and #N", () => {
    expect(parseDynamicsName("decay_ratio/block_1/expand/kernel#2")).toEqual({ quantity: "decay_ratio", key: "block_1/expand/kernel#2" });
    expect(parseDynamicsName("angular_equilibrium/kernel")).toEqual({ quantity: "angular_equilibrium", key: "kernel" });
  });

  it("refuses unknown quantities, empty keys and composition names", () => {
    for (const name of ["decay/d/kernel", "decay_ratio/", "decay_ratio", "penalty/d/kernel", "total"]) {
      expect(parseDynamicsName(name)).toBeNull();
    }
  });

  it("lists the quantities in the Python contract's order", () => {
    expect(DYNAMICS_QUANTITIES).toEqual([
      "weight_norm",
      "update_norm",
      "angular_update",
      "angular_equilibrium",
      "penalty_grad_norm",
      "loss_grad_norm",
      "decay_ratio",
    ]);
  });
});
