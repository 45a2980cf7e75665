// @vitest-environment jsdom
import { describe, expect, it, vi } from "vitest";
import { BAR_ROWS, BarList, restOf } from "../../src/charts/bars";

const hostile = `<img src=x onerror="window.__xss=1">`;

function groups(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    key: `penalty/g${i}/kernel`,
    label: i === 0 ? hostile : `g${i}`,
    // Step 0: g0 largest; step 1: the order reversed.
    values: [n - i, i + 1],
  }));
}

function texts(list: BarList, selector: string): string[] {
  return [...list.el.querySelectorAll<HTMLElement>(`.bar-row:not([hidden]) ${selector}`)].map((e) => e.textContent!);
}

describe("restOf", () => {
  it("sums the values and shares past the shown rows, skipping gaps", () => {
    const ranked = [
      { key: "a", label: "a", value: 3, share: 0.5 },
      { key: "b", label: "b", value: 2, share: 0.25 },
      { key: "c", label: "c", value: NaN, share: NaN },
    ];
    expect(restOf(ranked, 1)).toEqual({ count: 2, value: 2, share: 0.25 });
    expect(restOf(ranked, 3)).toEqual({ count: 0, value: 0, share: 0 });
  });
});

describe("BarList", () => {
  it("ranks the groups at the last step, names as text, the rest summed", () => {
    const list = new BarList(() => "#123456", () => {});
    list.update(groups(3), [0, 10]);
    expect(list.el.querySelector(".bars-heading")!.textContent).toBe("Penalties at step 10, largest first");
    expect(texts(list, ".bar-name")).toEqual(["g2", "g1", hostile]);
    expect(texts(list, ".bar-value")).toEqual(["3", "2", "1"]);
    expect(texts(list, ".bar-share")).toEqual(["50.0%", "33.3%", "16.7%"]);
    expect([...list.el.querySelectorAll<HTMLElement>(".bar")].map((b) => b.style.width)).toEqual(["100%", "66.7%", "33.3%"]);
    expect(list.el.querySelector("img")).toBeNull();
    expect((list.el.querySelector(".bars-rest") as HTMLElement).hidden).toBe(true);
    expect((list.el.querySelector(".bars-toggle") as HTMLElement).hidden).toBe(true);
  });

  it("takes its heading from the options, and leaves shares out for quantities that do not add up", () => {
    const list = new BarList(() => "red", () => {}, { heading: (step) => `Weight norm at step ${step}`, shares: false });
    list.update(groups(BAR_ROWS + 2), [0, 10]);
    expect(list.el.querySelector(".bars-heading")!.textContent).toBe("Weight norm at step 10");
    expect(texts(list, ".bar-share").every((t) => t === "")).toBe(true);
    expect(list.el.querySelector(".bars-rest")!.textContent).toBe("2 more");
  });

  it("follows the step it is shown and reuses its rows", () => {
    const list = new BarList(() => "red", () => {});
    list.update(groups(3), [0, 10]);
    const first = list.el.querySelector(".bar-row");
    list.show(0);
    expect(list.el.querySelector(".bars-heading")!.textContent).toBe("Penalties at step 0, largest first");
    expect(texts(list, ".bar-name")).toEqual([hostile, "g1", "g2"]);
    expect(list.el.querySelector(".bar-row")).toBe(first);
    expect((first as HTMLElement).dataset.key).toBe("penalty/g0/kernel");
    list.show(null);
    expect(texts(list, ".bar-name")).toEqual(["g2", "g1", hostile]);
  });

  it("shows BAR_ROWS rows and a line for the rest until asked for all", () => {
    const n = BAR_ROWS + 5;
    const list = new BarList(() => "red", () => {});
    list.update(groups(n), [0, 10]);
    expect(texts(list, ".bar-name")).toHaveLength(BAR_ROWS);
    // Step 10 values are 1…25 (sum 325); the 5 smallest are 1…5 (15).
    expect(list.el.querySelector(".bars-rest")!.textContent).toBe("5 more: 15 (4.6% of the penalties)");
    const toggle = list.el.querySelector<HTMLButtonElement>(".bars-toggle")!;
    expect(toggle.textContent).toBe(`Show all ${n}`);
    toggle.click();
    expect(texts(list, ".bar-name")).toHaveLength(n);
    expect((list.el.querySelector(".bars-rest") as HTMLElement).hidden).toBe(true);
    expect(toggle.textContent).toBe(`Show the first ${BAR_ROWS}`);
  });

  it("reports a click on a row with the row's key", () => {
    const pick = vi.fn();
    const list = new BarList(() => "red", pick);
    list.update(groups(2), [0, 10]);
    (list.el.querySelector(".bar-row .bar-value") as HTMLElement).click();
    expect(pick).toHaveBeenCalledExactlyOnceWith("penalty/g1/kernel");
  });

  it("hides itself without groups", () => {
    const list = new BarList(() => "red", () => {});
    list.update([], [0, 10]);
    expect(list.el.hidden).toBe(true);
  });
});
