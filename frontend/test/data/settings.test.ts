import { describe, expect, it } from "vitest";
import { DEFAULTS, loadSettings, MAX_DEPTH, runFilterRegExp, sanitize, saveSettings } from "../../src/data/settings";

/** A Storage backed by a Map, as much of it as settings use. */
function memoryStorage(): Storage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (k: string) => data.get(k) ?? null,
    key: (i: number) => [...data.keys()][i] ?? null,
    removeItem: (k: string) => void data.delete(k),
    setItem: (k: string, v: string) => void data.set(k, v),
  };
}

const throwing = {
  getItem: () => {
    throw new Error("SecurityError");
  },
  setItem: () => {
    throw new Error("QuotaExceededError");
  },
} as unknown as Storage;

describe("sanitize", () => {
  it("gives the defaults for anything that is not an object", () => {
    expect(sanitize(null)).toEqual(DEFAULTS);
    expect(sanitize("absolute")).toEqual(DEFAULTS);
  });

  it("keeps valid fields and drops invalid ones field by field", () => {
    const s = sanitize({
      mode: "share",
      grouping: "bogus",
      xAxis: "wall",
      yScale: "log",
      topK: 500,
      smoothing: 1,
      sharedY: true,
      runFilter: "train$",
      hidden: ["data", 3, "penalty/conv/kernel"],
      sortColumn: "penaltyShare",
      sortDescending: "yes",
      order: "name",
      layout: "focus",
      focusRun: "exp1/train",
    });
    expect(s).toEqual({
      ...DEFAULTS,
      order: "name",
      layout: "focus",
      focusRun: "exp1/train",
      mode: "share",
      xAxis: "wall",
      yScale: "log",
      topK: 100,
      sharedY: true,
      runFilter: "train$",
      hidden: ["data", "penalty/conv/kernel"],
      sortColumn: "penaltyShare",
    });
  });

  it("refuses a K below 1 or not an integer, and smoothing outside [0, 1)", () => {
    expect(sanitize({ topK: 0 }).topK).toBe(DEFAULTS.topK);
    expect(sanitize({ order: "random" }).order).toBe("size");
    expect(sanitize({ layout: 4 }).layout).toBe("auto");
    expect(sanitize({ focusRun: 7 }).focusRun).toBe("");
    expect(sanitize({ topK: 2.5 }).topK).toBe(DEFAULTS.topK);
    expect(sanitize({ smoothing: -0.1 }).smoothing).toBe(DEFAULTS.smoothing);
    expect(sanitize({ smoothing: 0 }).smoothing).toBe(0);
  });

  it("keeps a depth from 1, capped at MAX_DEPTH, and the grouping by block", () => {
    expect(DEFAULTS.depth).toBe(1);
    expect(sanitize({ depth: 3, grouping: "block" })).toMatchObject({ depth: 3, grouping: "block" });
    expect(sanitize({ depth: 0 }).depth).toBe(1);
    expect(sanitize({ depth: 1.5 }).depth).toBe(1);
    expect(sanitize({ depth: "2" }).depth).toBe(1);
    expect(sanitize({ depth: 99 }).depth).toBe(MAX_DEPTH);
  });

  it("keeps a linear or log y scale only", () => {
    expect(DEFAULTS.yScale).toBe("linear");
    expect(sanitize({ yScale: "log" }).yScale).toBe("log");
    expect(sanitize({ yScale: "symlog" }).yScale).toBe("linear");
    expect(sanitize({ yScale: true }).yScale).toBe("linear");
  });

  it("never shares the defaults' hidden list", () => {
    sanitize(null).hidden.push("data");
    expect(DEFAULTS.hidden).toEqual([]);
  });
});

describe("loadSettings / saveSettings", () => {
  it("restores exactly what was saved", () => {
    const storage = memoryStorage();
    const settings = {
      ...DEFAULTS,
      mode: "penalties" as const,
      topK: 7,
      yScale: "log" as const,
      hidden: ["data"],
      runFilter: "exp1",
    };
    saveSettings(storage, settings);
    expect(storage.data.size).toBe(1);
    expect(loadSettings(storage)).toEqual(settings);
  });

  it("falls back to the defaults on junk, missing or failing storage", () => {
    const storage = memoryStorage();
    storage.setItem("tb-regloss.settings.v1", "{not json");
    expect(loadSettings(storage)).toEqual(DEFAULTS);
    expect(loadSettings(memoryStorage())).toEqual(DEFAULTS);
    expect(loadSettings(null)).toEqual(DEFAULTS);
    expect(loadSettings(throwing)).toEqual(DEFAULTS);
    expect(() => saveSettings(throwing, { ...DEFAULTS })).not.toThrow();
  });
});

describe("runFilterRegExp", () => {
  it("is case-insensitive and null while the user types an invalid pattern", () => {
    expect(runFilterRegExp("TRAIN")!.test("exp1/train")).toBe(true);
    expect(runFilterRegExp("exp1/(")).toBeNull();
    expect(runFilterRegExp("")!.test("anything")).toBe(true);
  });
});
