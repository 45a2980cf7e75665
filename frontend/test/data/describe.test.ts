import { describe, expect, it } from "vitest";
import { parseDescription } from "../../src/data/describe";
import { loadFixture } from "../fixtures";

interface Case {
  case: string;
  text: string;
  regularizer: string | null;
  factor: string | null;
  parameters: number | null;
}

const fixture = loadFixture<{ descriptions: Case[] }>("descriptions.json");

describe("series descriptions (shared fixture with tests/test_descriptions.py)", () => {
  it.each(fixture.descriptions)("$case", (c) => {
    expect(parseDescription(c.text)).toEqual({
      regularizer: c.regularizer,
      factor: c.factor,
      parameters: c.parameters,
    });
  });
});

describe("parseDescription", () => {
  it("reads a bare regularizer, a scalar weight and nested arguments", () => {
    expect(parseDescription("L1(l1=0.0001)")).toEqual({ regularizer: "L1(l1=0.0001)", factor: "0.0001", parameters: null });
    expect(parseDescription("L2(l2=0.5) on model/scale (shape scalar, 1 parameters)").parameters).toBe(1);
    expect(parseDescription("Custom(alpha=0.1, axes=(0, 1)) on d/kernel").factor).toBe("alpha=0.1, axes=(0, 1)");
  });

  it("finds nothing in an empty or free text", () => {
    const none = { regularizer: null, factor: null, parameters: null };
    expect(parseDescription("")).toEqual(none);
    expect(parseDescription("add_loss in layer model/noise")).toEqual(none);
  });
});
