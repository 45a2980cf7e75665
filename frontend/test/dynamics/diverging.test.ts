import { describe, expect, it } from "vitest";
import { LEVELS } from "../../src/charts/colormap";
import { diverging, divergingGradient, divergingTable } from "../../src/dynamics/diverging";

describe("diverging", () => {
  it("runs from RdBu's blue through its neutral centre to its red, clamped", () => {
    expect(diverging(0)).toEqual([5, 48, 97]);
    expect(diverging(0.5)).toEqual([247, 247, 247]);
    expect(diverging(1)).toEqual([103, 0, 31]);
    expect(diverging(-3)).toEqual([5, 48, 97]);
    expect(diverging(7)).toEqual([103, 0, 31]);
    // Halfway between the 4th and 5th stops.
    expect(diverging(3.5 / 8)).toEqual([197, 222, 235]);
  });

  it("packs LEVELS colours, the ends being the scale's ends", () => {
    const table = divergingTable();
    expect(table.length).toBe(3 * LEVELS);
    expect([...table.slice(0, 3)]).toEqual([5, 48, 97]);
    expect([...table.slice(3 * (LEVELS - 1))]).toEqual([103, 0, 31]);
  });

  it("writes the key's gradient from blue to red", () => {
    expect(divergingGradient()).toMatch(/^linear-gradient\(to right, rgb\(5,48,97\) 0%, .* rgb\(247,247,247\) 50%, .* rgb\(103,0,31\) 100%\)$/);
  });
});
