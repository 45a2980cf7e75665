import { describe, expect, it } from "vitest";
import { formatTick, logTicks, wallTickLabels } from "../../src/charts/ticks";

describe("formatTick", () => {
  it("writes losses without SI prefixes", () => {
    expect(formatTick(0)).toBe("0");
    expect(formatTick(0.5)).toBe("0.5");
    expect(formatTick(0.30000000000000004)).toBe("0.3");
    expect(formatTick(1.5)).toBe("1.5");
    expect(formatTick(2500)).toBe("2500");
    expect(formatTick(0.001)).toBe("0.001");
    expect(formatTick(1e-4)).toBe("1e-4");
    expect(formatTick(2.5e-4)).toBe("2.5e-4");
    expect(formatTick(9.9999e-5)).toBe("1e-4");
    expect(formatTick(1e5)).toBe("1e5");
    expect(formatTick(3e7)).toBe("3e7");
    expect(formatTick(-0.5)).toBe("\u22120.5");
  });

  it("writes the ticks of the comparison and the sweep plot without SI suffixes", () => {
    expect([0.5, 12, 1e-3, 0.024, 208].map(formatTick)).toEqual(["0.5", "12", "0.001", "0.024", "208"]);
    expect(formatTick(1e-4)).toBe("1e-4");
  });
});

describe("logTicks", () => {
  it("labels every decade when they fit", () => {
    expect(logTicks([1e-4, 20], 200)).toEqual([1e-4, 1e-3, 1e-2, 1e-1, 1, 10]);
  });

  it("thins to a stride of decades when they do not", () => {
    // 21 decades on 100 px: room for 6 labels, so every 5th decade.
    expect(logTicks([1e-12, 1e8], 100)).toEqual([1e-10, 1e-5, 1, 1e5]);
  });

  it("uses 1-2-5 ticks inside a single decade", () => {
    expect(logTicks([0.23, 2.38], 200)).toEqual([0.5, 1, 2]);
  });

  it("takes a reversed domain, and an x axis' label width as its spacing", () => {
    expect(logTicks([20, 1e-4], 200)).toEqual([1e-4, 1e-3, 1e-2, 1e-1, 1, 10]);
    // Six decades on 240 px with 80 px per label: room for 3, so every 2nd decade.
    expect(logTicks([1e-5, 1], 240, 80)).toEqual([1e-4, 1e-2, 1]);
  });
});

describe("wallTickLabels", () => {
  it("writes the date once, then the times, and again on a new day", () => {
    const t = (d: number, h: number, m: number) => new Date(2026, 11, d, h, m).getTime();
    expect(wallTickLabels([t(2, 23, 30), t(2, 23, 45), t(3, 0, 0), t(3, 0, 15)])).toEqual([
      "Dec 02 23:30",
      "23:45",
      "Dec 03 00:00",
      "00:15",
    ]);
  });

  it("adds seconds when ticks are less than a minute apart", () => {
    const t0 = new Date(2026, 11, 2, 9, 5, 0).getTime();
    expect(wallTickLabels([t0, t0 + 20000, t0 + 40000])).toEqual(["Dec 02 09:05", "09:05:20", "09:05:40"]);
  });
});
