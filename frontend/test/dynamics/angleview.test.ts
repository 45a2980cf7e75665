// @vitest-environment jsdom
import { describe, expect, it, vi } from "vitest";
import { AngleMultiples, EQUILIBRIUM_DASH, formatDegrees } from "../../src/dynamics/angleview";
import { stepChannel } from "../../src/charts/channel";
import type { Quantities } from "../../src/dynamics/dynamics_group";
import { DYNAMICS_QUANTITIES } from "../../src/data/tags";

const HOSTILE = `<img src=x onerror=1>"q'ü🚀`;
const RAD = Math.PI / 180;

function group(key: string, label: string, angle: number[], equilibrium: number[]) {
  const values = {} as Quantities;
  for (const q of DYNAMICS_QUANTITIES) values[q] = new Float64Array(angle.length).fill(NaN);
  values.angular_update = Float64Array.from(angle, (d) => d * RAD);
  values.angular_equilibrium = Float64Array.from(equilibrium, (d) => d * RAD);
  return { key, label, values };
}

/** Two panels over three steps, sharing `step`. */
function drawn(step = stepChannel()) {
  const view = new AngleMultiples(step);
  view.update(
    [group("a", HOSTILE, [4, 2, 1], [1, 1, 1]), group("b", "b", [1, 1, 1], [NaN, NaN, NaN])],
    [0, 10, 20],
    800,
    "angular update of run r",
  );
  return view;
}

describe("formatDegrees", () => {
  it("writes degrees with their sign, a dash for no value", () => {
    expect(formatDegrees(1.5)).toBe("1.5°");
    expect(formatDegrees(NaN)).toBe("–");
  });
});

describe("AngleMultiples", () => {
  it("draws a panel per group, names as text, the equilibrium dashed", () => {
    const view = drawn();
    const panels = view.svg.querySelectorAll(".angle-panel");
    expect(panels).toHaveLength(2);
    expect(view.svg.querySelector(".panel-title title")!.textContent).toBe(HOSTILE);
    expect(view.svg.querySelector("img")).toBeNull();
    expect(view.svg.querySelector(".angle-equilibrium")!.getAttribute("stroke-dasharray")).toBe(EQUILIBRIUM_DASH);
    expect(view.svg.querySelector(".angle-measured")!.getAttribute("d")).toMatch(/^M0,0L/);
    // No equilibrium in b: an empty path.
    expect(panels[1].querySelector(".angle-equilibrium")!.getAttribute("d")).toBe("");
    expect(view.svg.getAttribute("width")).toBe("800");
    expect(view.svg.getAttribute("height")).toBe("120");
  });

  it("moves the rule in every panel and names the hovered panel's angles", () => {
    const step = stepChannel();
    const onStep = vi.fn();
    step.listen(onStep);
    const view = drawn(step);
    view.show(1, 0);
    const rules = [...view.svg.querySelectorAll(".hover-rule")];
    expect(rules.map((r) => r.getAttribute("visibility"))).toEqual(["visible", "visible"]);
    expect(rules[0].getAttribute("x1")).toBe(String(350 / 2));
    expect(view.el.querySelector(".angle-readout")!.textContent).toBe(`${HOSTILE} · step 10: 2° per step (equilibrium 1°)`);
    expect(onStep).toHaveBeenLastCalledWith(1);
    view.show(null, 0);
    expect(rules.map((r) => r.getAttribute("visibility"))).toEqual(["hidden", "hidden"]);
  });

  it("follows another view's step with the rule alone", () => {
    const step = stepChannel();
    const onStep = vi.fn();
    const view = drawn(step);
    step.listen(onStep);
    step.set(2);
    const rules = [...view.svg.querySelectorAll(".hover-rule")];
    expect(rules.map((r) => [r.getAttribute("visibility"), r.getAttribute("x1")])).toEqual([
      ["visible", "350"],
      ["visible", "350"],
    ]);
    expect(view.el.querySelector(".angle-readout")!.textContent).toBe("\u00a0");
    // Following sets nothing back: the channel was set once, by the other view.
    expect(onStep).toHaveBeenCalledTimes(1);
    step.set(null);
    expect(rules.map((r) => r.getAttribute("visibility"))).toEqual(["hidden", "hidden"]);
  });

  it("exports a standalone SVG with title and key, names escaped", () => {
    const svg = drawn().imageSvg(`Angular update — ${HOSTILE}`, { background: "#fff", text: "#000" })!;
    expect(svg).toContain("predicted equilibrium (dashed)");
    expect(svg).toContain("&lt;img src=x onerror=1&gt;");
    expect(svg).not.toContain("<img");
    expect(svg).not.toContain("hover-rule");
  });

  it("hides itself when no group has an angle", () => {
    const view = new AngleMultiples(stepChannel());
    view.update([group("a", "a", [NaN], [NaN])], [0], 400, "x");
    expect(view.el.hidden).toBe(true);
    expect(view.imageSvg("t", { background: "#fff", text: "#000" })).toBeNull();
  });
});
