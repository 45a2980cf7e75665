// @vitest-environment jsdom
import { describe, expect, it, vi } from "vitest";
import { COMPACT_ENTRIES, Legend, type LegendEntry } from "../../src/charts/legend";

const entry = (key: string, name: string, values: (number | null)[], color = "#4e79a7"): LegendEntry => ({
  key,
  name,
  kind: key.endsWith("/kernel") ? "kernel" : null,
  color,
  values,
});
const entries = [entry("data", "data loss", [2, 0.5], "#8a9bb0"), entry("penalty/conv/kernel", "conv/kernel", [1, 0.25])];
const buttons = (legend: Legend) => [...legend.el.querySelectorAll<HTMLButtonElement>("button.legend-entry")];
const keys = (legend: Legend) => buttons(legend).map((b) => b.dataset.key);

describe("Legend", () => {
  it("shows one entry per key with its color, name, kind and value at the last step", () => {
    const legend = new Legend(() => {});
    legend.update(entries, new Set());
    expect(buttons(legend).map((b) => b.textContent)).toEqual(["data loss0.5", "conv/kernelkernel0.25"]);
    expect(keys(legend)).toEqual(["data", "penalty/conv/kernel"]);
    expect((buttons(legend)[0].firstChild as HTMLElement).style.background).toBe("rgb(138, 155, 176)");
    expect(buttons(legend)[0].querySelector<HTMLElement>(".legend-kind")!.hidden).toBe(true);
    expect(buttons(legend).map((b) => b.getAttribute("aria-pressed"))).toEqual(["true", "true"]);
    expect(legend.el.getAttribute("aria-label")).toBe("Series, largest first (click to hide or show)");
  });

  it("ranks the entries at the hovered step, then at the last step again", () => {
    const legend = new Legend(() => {});
    const series = [entry("data", "data loss", [1, 3]), entry("penalty/a", "a", [2, 1]), entry("penalty/b", "b", [null, 2])];
    legend.update(series, new Set());
    expect(keys(legend)).toEqual(["data", "penalty/b", "penalty/a"]);
    legend.rank(0);
    expect(keys(legend)).toEqual(["penalty/a", "data", "penalty/b"]);
    expect(buttons(legend).map((b) => b.querySelector(".legend-value")!.textContent)).toEqual(["2", "1", "–"]);
    // A new update keeps the hovered step.
    legend.update(series, new Set());
    expect(keys(legend)).toEqual(["penalty/a", "data", "penalty/b"]);
    legend.rank(null);
    expect(keys(legend)).toEqual(["data", "penalty/b", "penalty/a"]);
  });

  it("reports a click with the entry's key", () => {
    const onToggle = vi.fn();
    const legend = new Legend(onToggle);
    legend.update(entries, new Set());
    buttons(legend)[1].click();
    expect(onToggle).toHaveBeenCalledExactlyOnceWith("penalty/conv/kernel");
  });

  it("marks hidden entries as not pressed, offering to show them", () => {
    const legend = new Legend(() => {});
    legend.update(entries, new Set(["data"]));
    const [data, kernel] = buttons(legend);
    expect(data.getAttribute("aria-pressed")).toBe("false");
    expect(data.title).toBe("Show data loss");
    expect(kernel.title).toBe("Hide conv/kernel (kernel)");
  });

  it("reuses entries by key and drops missing keys", () => {
    const legend = new Legend(() => {});
    legend.update(entries, new Set());
    const [data, kernel] = buttons(legend);
    legend.update([entries[1], entry("other", "other terms", [0, 0.3]), entries[0]], new Set());
    const after = buttons(legend);
    expect(after.map((b) => b.dataset.key)).toEqual(["data", "other", "penalty/conv/kernel"]);
    expect(after[0]).toBe(data);
    expect(after[2]).toBe(kernel);
    legend.update([entries[0]], new Set());
    expect(buttons(legend)).toEqual([data]);
  });

  it("renders a hostile name as text", () => {
    const legend = new Legend(() => {});
    const name = "<img src=x onerror=window.__xss=1>/kernel";
    legend.update([entry("penalty/" + name, name, [1])], new Set());
    expect(legend.el.querySelector("img")).toBeNull();
    expect(buttons(legend)[0].querySelector(".legend-label")!.textContent).toBe(name);
  });
});

describe("Legend clicks", () => {
  it("a click on the swatch or the label toggles the entry's key; a click between entries does nothing", () => {
    const onToggle = vi.fn();
    const legend = new Legend(onToggle);
    legend.update(entries, new Set());
    const [data, kernel] = buttons(legend);
    (data.querySelector(".legend-label") as HTMLElement).click();
    (kernel.querySelector(".swatch") as HTMLElement).click();
    legend.el.click();
    expect(onToggle.mock.calls).toEqual([["data"], ["penalty/conv/kernel"]]);
  });
});

describe("Legend with many entries", () => {
  // Largest first, so the ranked order is the given one.
  const many = Array.from({ length: 30 }, (_, i) => entry(`penalty/l${String(i).padStart(2, "0")}/kernel`, `term ${i}`, [30 - i]));
  const visible = (legend: Legend) => buttons(legend).filter((b) => !b.hidden).map((b) => b.dataset.key);
  const more = (legend: Legend) => legend.el.querySelector<HTMLButtonElement>("button.legend-more")!;

  it("shows every entry and no button up to the threshold", () => {
    const legend = new Legend(() => {});
    legend.update(many.slice(0, COMPACT_ENTRIES), new Set());
    expect(visible(legend)).toHaveLength(COMPACT_ENTRIES);
    expect(more(legend).hidden).toBe(true);
  });

  it("shows the first entries in order and a +N more button that expands and collapses the list", () => {
    const legend = new Legend(() => {});
    legend.update(many, new Set());
    expect(visible(legend)).toEqual(many.slice(0, COMPACT_ENTRIES).map((e) => e.key));
    // Only the entries in view are built: a thousand terms cost 16 buttons at first.
    expect(buttons(legend)).toHaveLength(COMPACT_ENTRIES);
    const button = more(legend);
    expect(button.hidden).toBe(false);
    expect(button.textContent).toBe("+14 more");
    expect(button.getAttribute("aria-expanded")).toBe("false");
    expect(button.title).toBe("Show all 30 series");
    // The button follows the entries.
    expect(legend.el.lastElementChild).toBe(button);

    button.click();
    expect(visible(legend)).toEqual(many.map((e) => e.key));
    expect(buttons(legend)).toHaveLength(30);
    expect(button.textContent).toBe("Show fewer");
    expect(button.getAttribute("aria-expanded")).toBe("true");
    // A new update (new data, a toggle) keeps the list expanded.
    legend.update(many, new Set());
    expect(visible(legend)).toHaveLength(30);

    button.click();
    expect(visible(legend)).toHaveLength(COMPACT_ENTRIES);
    expect(button.textContent).toBe("+14 more");
    expect(button.getAttribute("aria-expanded")).toBe("false");
  });

  it("keeps a hidden entry in view while collapsed, so it can be shown again", () => {
    const onToggle = vi.fn();
    const legend = new Legend(onToggle);
    legend.update(many, new Set([many[3].key, many[20].key]));
    expect(visible(legend)).toEqual([...many.slice(0, COMPACT_ENTRIES).map((e) => e.key), many[20].key]);
    expect(more(legend).textContent).toBe("+13 more");
    const hidden = buttons(legend).find((b) => b.dataset.key === many[20].key)!;
    expect(hidden.getAttribute("aria-pressed")).toBe("false");
    hidden.click();
    expect(onToggle).toHaveBeenCalledExactlyOnceWith(many[20].key);
    // Shown again, it stays under the pointer until the list is next expanded or folded.
    legend.update(many, new Set([many[3].key]));
    expect(hidden.hidden).toBe(false);
    expect(hidden.getAttribute("aria-pressed")).toBe("true");
    expect(more(legend).textContent).toBe("+13 more");
  });

  it("toggles entries past the threshold once expanded; collapsed again, the one hidden stays in view", () => {
    const onToggle = vi.fn();
    const legend = new Legend(onToggle);
    legend.update(many, new Set());
    more(legend).click();
    buttons(legend)[25].click();
    expect(onToggle).toHaveBeenCalledExactlyOnceWith(many[25].key);
    legend.update(many, new Set([many[25].key]));
    expect(buttons(legend)[25].getAttribute("aria-pressed")).toBe("false");
    more(legend).click();
    expect(visible(legend)).toContain(many[25].key);
    expect(onToggle).toHaveBeenCalledTimes(1);
  });

  it("keeps an entry shown again in view while collapsed, until the list is next expanded or folded", () => {
    const legend = new Legend(() => {});
    legend.update(many, new Set([many[20].key]));
    expect(visible(legend)).toContain(many[20].key);
    legend.update(many, new Set());
    expect(visible(legend)).toContain(many[20].key);
    more(legend).click();
    more(legend).click();
    expect(visible(legend)).not.toContain(many[20].key);
    expect(visible(legend)).toHaveLength(16);
  });

  it("has no button when every entry past the threshold is hidden", () => {
    const legend = new Legend(() => {});
    legend.update(many.slice(0, 18), new Set([many[16].key, many[17].key]));
    expect(visible(legend)).toHaveLength(18);
    expect(more(legend).hidden).toBe(true);
  });

  it("reorders entries by their new values, before the button", () => {
    const legend = new Legend(() => {});
    legend.update(many, new Set());
    const reversed = many.map((e, i) => ({ ...e, values: [i] }));
    legend.update(reversed, new Set());
    expect(visible(legend)).toEqual([...many].reverse().slice(0, COMPACT_ENTRIES).map((e) => e.key));
    // The entries in view come first; the folded ones are not moved while hidden.
    expect(buttons(legend).slice(0, COMPACT_ENTRIES).every((b) => !b.hidden)).toBe(true);
    expect(legend.el.lastElementChild).toBe(more(legend));
    more(legend).click();
    expect(visible(legend)).toEqual([...many].reverse().map((e) => e.key));
  });
});
