import { describe, expect, it } from "vitest";
import { bandColors, FIXED, hashKey, PALETTE, slotOf } from "../../src/charts/colors";

describe("hashKey", () => {
  it("is FNV-1a 32", () => {
    // Reference values of FNV-1a 32-bit.
    expect(hashKey("")).toBe(0x811c9dc5);
    expect(hashKey("a")).toBe(0xe40c292c);
    expect(hashKey("foobar")).toBe(0xbf9cf968);
  });
});

describe("bandColors", () => {
  it("gives a key the same color whatever other keys a chart has", () => {
    const alone = bandColors(["penalty/conv/kernel"])[0];
    expect(alone).toBe(PALETTE[slotOf("penalty/conv/kernel")]);
    // Above the grey data loss nothing clashes: the key keeps its own color.
    const colors = bandColors(["data", "penalty/conv/kernel", "other"]);
    expect(colors).toEqual([FIXED.data, alone, FIXED.other]);
  });

  it("colors a decoupled term like the penalty on the same weight", () => {
    expect(slotOf("decoupled/conv/kernel")).toBe(slotOf("penalty/conv/kernel"));
    expect(slotOf("decoupled:layer:conv")).toBe(slotOf("layer:conv"));
  });

  it("never gives two neighbouring bands the same hue family, deterministically", () => {
    const keys = Array.from({ length: 300 }, (_, i) => `penalty/block${i}/kernel`);
    const colors = bandColors(keys);
    expect(bandColors(keys)).toEqual(colors);
    for (let i = 1; i < colors.length; i++) {
      expect(PALETTE.indexOf(colors[i]) % 10).not.toBe(PALETTE.indexOf(colors[i - 1]) % 10);
    }
  });

  it("moves a clashing key to the next family up", () => {
    // Find two keys whose slots share a family, then stack them.
    const keys = Array.from({ length: 100 }, (_, i) => `k${i}`);
    const a = keys[0];
    const b = keys.find((k) => k !== a && slotOf(k) % 10 === slotOf(a) % 10)!;
    const [ca, cb] = bandColors([a, b]);
    expect(ca).toBe(PALETTE[slotOf(a)]);
    expect(cb).toBe(PALETTE[(slotOf(b) + 1) % 20]);
  });
});
