// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Breakdown } from "../../src/data/api";
import { DynamicsSection, equilibriumNote, panelsCaption } from "../../src/dynamics/dynamics_section";
import { DEFAULTS, type Settings } from "../../src/data/settings";
import { BIAS, dynamicsBreakdown, KERNEL, weight } from "./dynamics_fixture";
import { mockCanvas } from "../canvas_mock";

beforeEach(() => {
  mockCanvas();
});
afterEach(() => vi.restoreAllMocks());

const HOSTILE = `<img src=x onerror=1>"q'ü🚀/kernel`;
const composition = { run: "r" } as Breakdown;
const settings = (s: Partial<Settings> = {}): Settings => ({ ...DEFAULTS, hidden: [], ...s });

function data() {
  const b = dynamicsBreakdown({ ...weight("a/kernel", KERNEL), ...weight("a/bias", BIAS), ...weight(HOSTILE, KERNEL) });
  b.descriptions = { "angular_equilibrium/a/kernel": "AdamW: √(2ηλ(1−β1)/(1+β1))" };
  return b;
}

/** Lets the fetch promise settle. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("DynamicsSection", () => {
  it("stays hidden and fetches nothing for a run without dynamics", () => {
    const fetcher = vi.fn(async () => data());
    const section = new DynamicsSection(undefined, fetcher);
    section.setRun("r", []);
    section.update(composition, settings(), 600);
    expect(section.el.hidden).toBe(true);
    expect(fetcher).not.toHaveBeenCalled();
  });

  it("is folded and fetches the series only once opened, then draws the three views", async () => {
    const fetcher = vi.fn(async () => data());
    const section = new DynamicsSection(undefined, fetcher);
    section.setRun("r", ["decay_ratio"]);
    section.update(composition, settings(), 600);
    expect(section.el.hidden).toBe(false);
    expect(section.el.open).toBe(false);
    expect(fetcher).not.toHaveBeenCalled();
    // Nothing but the summary until it draws: the card's other views keep their selectors to themselves.
    expect(section.el.querySelector(".dynamics-body, .bars, canvas")).toBeNull();
    section.el.open = true;
    section.el.dispatchEvent(new Event("toggle"));
    expect(fetcher).toHaveBeenCalledWith("r");
    await settled();
    const labels = [...section.el.querySelectorAll(".heatmap-label")].map((e) => e.textContent);
    expect(labels).toEqual([HOSTILE, "a/bias", "a/kernel"]);
    expect(section.el.querySelectorAll(".angle-panel")).toHaveLength(3);
    expect(section.el.querySelector(".bars-heading")!.textContent).toBe("decay ratio (‖∇ decay‖ ÷ ‖∇ data‖) at step 10, largest first");
    expect(section.el.querySelector(".dynamics-note")!.textContent).toBe("Equilibrium: AdamW: √(2ηλ(1−β1)/(1+β1))");
    expect(section.el.querySelector("img")).toBeNull();
    // Same data and settings: no second fetch.
    section.update(composition, settings(), 600);
    expect(fetcher).toHaveBeenCalledTimes(1);
  });

  it("groups as the settings say and ranks the chosen quantity", async () => {
    const section = new DynamicsSection(undefined, async () => data());
    section.setRun("r", ["decay_ratio"]);
    section.el.open = true;
    section.update(composition, settings({ grouping: "layer" }), 600);
    await settled();
    expect([...section.el.querySelectorAll(".heatmap-label")].map((e) => e.textContent)).toEqual([HOSTILE.slice(0, -"/kernel".length), "a"]);
    const select = section.el.querySelector<HTMLSelectElement>("select[name=dynamics-quantity]")!;
    select.value = "weight_norm";
    select.dispatchEvent(new Event("change"));
    const values = [...section.el.querySelectorAll(".bar-row:not([hidden]) .bar-value")].map((e) => e.textContent);
    expect(values).toEqual(["5", "3"]);
  });

  it("colours a group's bar as the composition chart colours the same group", async () => {
    const colorOf = vi.fn((key: string) => (key === "layer:a" ? "rgb(1, 2, 3)" : "rgb(9, 9, 9)"));
    const section = new DynamicsSection(colorOf, async () => data());
    section.setRun("r", ["decay_ratio"]);
    section.el.open = true;
    section.update(composition, settings({ grouping: "layer" }), 600);
    await settled();
    const row = section.el.querySelector<HTMLElement>(".bar-row[data-key='layer:a'] .swatch")!;
    expect(row.style.background).toBe("rgb(1, 2, 3)");
    expect(colorOf).toHaveBeenCalledWith("layer:a");
  });

  it("refetches when the run has new data, and says so when the fetch fails", async () => {
    const fetcher = vi.fn(async () => data());
    const section = new DynamicsSection(undefined, fetcher);
    section.setRun("r", ["decay_ratio"]);
    section.el.open = true;
    section.update(composition, settings(), 600);
    await settled();
    fetcher.mockRejectedValueOnce(new Error("GET dynamics failed with HTTP 404"));
    section.update({ run: "r" } as Breakdown, settings(), 600);
    await settled();
    expect(fetcher).toHaveBeenCalledTimes(2);
    expect(section.el.querySelector(".dynamics-status")!.textContent).toBe("Could not load the dynamics: GET dynamics failed with HTTP 404");
  });

  it("puts the angle panels on a log axis on request", async () => {
    const section = new DynamicsSection(undefined, async () => data());
    section.setRun("r", ["decay_ratio"]);
    section.el.open = true;
    section.update(composition, settings(), 600);
    await settled();
    const ticks = () => [...section.el.querySelectorAll(".angle-panel")[0].querySelectorAll(".axis")[0].querySelectorAll("text")].map((t) => t.textContent);
    expect(ticks()).toEqual(["0°", "10°", "20°", "30°"]);
    const scale = section.el.querySelector<HTMLSelectElement>("select[name=dynamics-angle-scale]")!;
    scale.value = "log";
    scale.dispatchEvent(new Event("change"));
    // Angles of 0.25 and 0.5 rad: 14.3° to 28.6°, within one decade, so 1-2-5 ticks.
    expect(ticks()).toEqual(["20°"]);
    expect(section.el.querySelector(".dynamics-caption")!.textContent).toContain("one log y scale");
  });

  it("exports the panels as a standalone SVG", async () => {
    const section = new DynamicsSection(undefined, async () => data());
    section.setRun("r", ["decay_ratio"]);
    expect(section.imageSvg()).toBeNull();
    section.el.open = true;
    section.update(composition, settings(), 600);
    await settled();
    const svg = section.imageSvg()!;
    expect(svg).toContain("Angular update against its equilibrium — r");
    expect(svg).not.toContain("<img");
  });
});

describe("equilibriumNote / panelsCaption", () => {
  it("quotes the first weight's equilibrium description and counts the others", () => {
    expect(equilibriumNote({ "decay_ratio/a": "x" })).toBe("");
    expect(equilibriumNote({ "decay_ratio/a": "x", "angular_equilibrium/a": "AdamW: f(a)" })).toBe("Equilibrium: AdamW: f(a)");
    expect(equilibriumNote({ "angular_equilibrium/a": "f(a)", "angular_equilibrium/b": "f(b)" })).toBe(
      "Equilibrium: f(a) (1 more weight has one; the JSON download holds every description)",
    );
    expect(equilibriumNote({ "angular_equilibrium/a": "f(a)", "angular_equilibrium/b": "f(b)", "angular_equilibrium/c": "f(c)" })).toBe(
      "Equilibrium: f(a) (2 more weights have one; the JSON download holds every description)",
    );
  });

  it("says which groups the panels show", () => {
    expect(panelsCaption(0, 4)).toBe("No group has an angular update.");
    expect(panelsCaption(3, 3)).toContain("all 3 groups");
    expect(panelsCaption(12, 160)).toContain("the 12 groups of 160 that rotate most per step (largest mean angle)");
    expect(panelsCaption(3, 3, true)).toContain("one log y scale in degrees");
  });
});
