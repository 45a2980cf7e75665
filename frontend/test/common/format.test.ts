import { describe, expect, it } from "vitest";
import { float32Text, formatShare, formatValue, truncate } from "../../src/common/format";

describe("format", () => {
  it("formats values and shares", () => {
    expect(formatValue(0.123456)).toBe("0.1235");
    expect(formatValue(0.03279)).toBe("0.03279");
    expect(formatValue(0.0000083412)).toBe("8.341e-6");
    expect(formatValue(-0.0002147)).toBe("\u22122.147e-4"); // d3-format writes a true minus sign
    expect(formatValue(0)).toBe("0");
    expect(formatValue(123456)).toBe("1.235e+5");
    expect(formatValue(null)).toBe("–");
    expect(formatValue(NaN)).toBe("NaN");
    expect(formatShare(0.25)).toBe("25.0%");
    expect(formatShare(NaN)).toBe("–");
  });
});

/** Deterministic 32-bit random numbers (mulberry32), so a failure can be replayed. */
function randomUint32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

describe("float32Text", () => {
  it("reads back as the same float32 and is never longer than String, over random float32 bit patterns", () => {
    const next = randomUint32(20261122);
    const bits = new Uint32Array(1);
    const value = new Float32Array(bits.buffer);
    const wrong: string[] = [];
    for (let checked = 0; checked < 50_000; ) {
      bits[0] = next();
      const v = value[0];
      if (!Number.isFinite(v) || v === 0) continue;
      const text = float32Text(v);
      if (Math.fround(Number(text)) !== v || text.length > String(v).length) wrong.push(`${v} -> ${text}`);
      checked++;
    }
    expect(wrong).toEqual([]);
  });

  it("writes what the user logged, not the float32's double expansion", () => {
    expect(float32Text(Math.fround(0.094))).toBe("0.094");
    expect(float32Text(0.09399999678134918)).toBe("0.094");
    expect(float32Text(0.094)).toBe("0.094");
    expect(float32Text(Math.fround(1e-7))).toBe("1e-7");
    expect(float32Text(Math.fround(1.2345e-7))).toBe("1.2345e-7");
    expect(float32Text(Math.fround(0.1))).toBe("0.1");
    expect(float32Text(100)).toBe("100");
    expect(float32Text(-2.5)).toBe("-2.5");
  });

  it("writes only the digits a float32 holds at the extremes", () => {
    expect(float32Text(16777217)).toBe("16777216");
    expect(float32Text(Math.fround(123456789))).toBe("123456790");
    expect(float32Text(Math.fround(3.4e38))).toBe("3.4e+38");
    expect(float32Text(3.4028234663852886e38)).toBe("3.4028235e+38");
    expect(float32Text(1.1754943508222875e-38)).toBe("1.1754944e-38");
    expect(float32Text(2 ** -149)).toBe("1e-45");
  });

  it("writes zeros as 0 (like String and JSON) and non-finite values by name", () => {
    expect(float32Text(0)).toBe("0");
    expect(float32Text(-0)).toBe("0");
    expect(float32Text(NaN)).toBe("NaN");
    expect(float32Text(Infinity)).toBe("Infinity");
    expect(float32Text(-Infinity)).toBe("-Infinity");
  });
});

describe("truncate", () => {
  it("cuts by characters, never inside an emoji", () => {
    expect(truncate("short", 10)).toBe("short");
    expect(truncate("🚀🚀🚀🚀", 3)).toBe("🚀🚀…");
    expect(truncate("abcdef", 4)).toBe("abc…");
  });
});
