import { describe, expect, it } from "vitest";
import { decimate } from "../../src/data/decimate";

describe("decimate", () => {
  it("keeps everything when it fits the width", () => {
    expect([...decimate([0, 1, 2], [[1, 2, 3]], 3)]).toEqual([0, 1, 2]);
  });

  it("keeps about one point per pixel column: first, peaks and last", () => {
    const n = 1000;
    const x = Array.from({ length: n }, (_, i) => i);
    const v = x.map((i) => (i === 555 ? 100 : 1));
    const kept = [...decimate(x, [v], 50)];
    expect(kept.length).toBeLessThanOrEqual(52);
    expect(kept).toContain(0);
    expect(kept).toContain(555);
    expect(kept).toContain(n - 1);
  });

  it("keeps gaps and their neighbours", () => {
    const x = Array.from({ length: 500 }, (_, i) => i);
    const v: (number | null)[] = x.map(() => 1);
    v[301] = null;
    const kept = [...decimate(x, [v], 10)];
    expect(kept).toEqual(expect.arrayContaining([300, 301, 302]));
  });
});
