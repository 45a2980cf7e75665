import { describe, expect, it, vi } from "vitest";
import { Legend } from "../src/legend";

const colorOf = (key: string) => (key === "data" ? "#8a9bb0" : "#4e79a7");
const entries = [
  { key: "data", label: "data loss" },
  { key: "penalty/conv/kernel", label: "penalty/conv/kernel" },
];
const buttons = (legend: Legend) => [...legend.el.querySelectorAll<HTMLButtonElement>("button.legend-entry")];

describe("Legend", () => {
  it("shows one text entry per key, in order, in its color", () => {
    const legend = new Legend(colorOf, () => {});
    legend.update(entries, new Set());
    expect(buttons(legend).map((b) => b.textContent)).toEqual(["data loss", "penalty/conv/kernel"]);
    expect(buttons(legend).map((b) => b.dataset.key)).toEqual(["data", "penalty/conv/kernel"]);
    expect((buttons(legend)[0].firstChild as HTMLElement).style.background).toBe("rgb(138, 155, 176)");
    expect(buttons(legend).map((b) => b.getAttribute("aria-pressed"))).toEqual(["true", "true"]);
    expect(legend.el.getAttribute("aria-label")).toBe("Series (click to hide or show)");
  });

  it("reports a click with the entry's key", () => {
    const onToggle = vi.fn();
    const legend = new Legend(colorOf, onToggle);
    legend.update(entries, new Set());
    buttons(legend)[1].click();
    expect(onToggle).toHaveBeenCalledExactlyOnceWith("penalty/conv/kernel");
  });

  it("marks hidden entries as not pressed, offering to show them", () => {
    const legend = new Legend(colorOf, () => {});
    legend.update(entries, new Set(["data"]));
    const [data, kernel] = buttons(legend);
    expect(data.getAttribute("aria-pressed")).toBe("false");
    expect(data.title).toBe("Show data loss");
    expect(kernel.title).toBe("Hide penalty/conv/kernel");
  });

  it("reuses entries by key, follows a new order and drops missing keys", () => {
    const legend = new Legend(colorOf, () => {});
    legend.update(entries, new Set());
    const [data, kernel] = buttons(legend);
    legend.update([entries[1], { key: "other", label: "other terms" }, entries[0]], new Set());
    const after = buttons(legend);
    expect(after.map((b) => b.dataset.key)).toEqual(["penalty/conv/kernel", "other", "data"]);
    expect(after[0]).toBe(kernel);
    expect(after[2]).toBe(data);
    legend.update([entries[0]], new Set());
    expect(buttons(legend)).toEqual([data]);
  });

  it("renders a hostile label as text", () => {
    const legend = new Legend(colorOf, () => {});
    const label = "penalty/<img src=x onerror=window.__xss=1>/kernel";
    legend.update([{ key: label, label }], new Set());
    expect(legend.el.querySelector("img")).toBeNull();
    expect(buttons(legend)[0].textContent).toBe(label);
  });
});

describe("Legend clicks", () => {
  it("a click on the swatch or the label toggles the entry's key; a click between entries does nothing", () => {
    const onToggle = vi.fn();
    const legend = new Legend(colorOf, onToggle);
    legend.update(entries, new Set());
    const [data, kernel] = buttons(legend);
    (data.querySelector(".legend-label") as HTMLElement).click();
    (kernel.querySelector(".swatch") as HTMLElement).click();
    legend.el.click();
    expect(onToggle.mock.calls).toEqual([["data"], ["penalty/conv/kernel"]]);
  });
});
