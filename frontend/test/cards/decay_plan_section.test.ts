// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseBreakdown, parseDecayPlan, type DecayPlan } from "../../src/data/api";
import { RunCard } from "../../src/cards/card";
import { DecayPlanSection } from "../../src/cards/decay_plan_section";
import { DEFAULTS, type Settings } from "../../src/data/settings";
import { buildRunView } from "../../src/cards/view";
import { loadFixture } from "../fixtures";

const HOSTILE = `<img src=x onerror=1>"q'ü🚀/gamma`;

/** What `/decay_plan` answers for keras.io's GPT-2 LoRA setup (three exclusion calls: only beta excluded). */
const answer = {
  entries: [
    { key: "ln/gamma", parameters: 8, coupled: null, decoupled: 0.01, findings: ["norm_decayed"] },
    { key: "ln/beta", parameters: 8, coupled: null, decoupled: null, findings: [] },
    { key: "attn/bias", parameters: 8, coupled: null, decoupled: 0.01, findings: ["bias_decayed"] },
    { key: "head/bias", parameters: 4, coupled: null, decoupled: 0.01, findings: ["bias_decayed"] },
    { key: HOSTILE, parameters: 1200, coupled: "L2(l2=0.001)", decoupled: 0.01, findings: ["norm_decayed", "double_decay"] },
  ],
  findings: [
    { code: "norm_decayed", keys: ["ln/gamma", HOSTILE], fix: 'list "gamma" in the one call' },
    { code: "bias_decayed", keys: ["attn/bias", "head/bias", "x/bias", "y/bias"], fix: 'list "bias" in the one call' },
    { code: "double_decay", keys: [HOSTILE], fix: "keep one" },
  ],
};

/** Lets the fetch promise settle. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => void vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue(null));
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("parseDecayPlan", () => {
  it("reads the route's answer and refuses another shape", () => {
    const plan = parseDecayPlan(answer);
    expect(plan.entries[4]).toEqual({ key: HOSTILE, parameters: 1200, coupled: "L2(l2=0.001)", decoupled: 0.01,
      findings: ["norm_decayed", "double_decay"] });
    expect(plan.findings.map((f) => f.code)).toEqual(["norm_decayed", "bias_decayed", "double_decay"]);
    expect(() => parseDecayPlan({ entries: [] })).toThrow(/lists `entries` and `findings`/);
    expect(() => parseDecayPlan({ entries: [{ key: "k" }], findings: [] })).toThrow(/`parameters`/);
  });
});

describe("DecayPlanSection", () => {
  it("lists each finding on one line with what, where, the fix and its anchor, as text", async () => {
    const fetcher = vi.fn(async (): Promise<DecayPlan> => parseDecayPlan(answer));
    const section = new DecayPlanSection(fetcher);
    section.setRun("gpt2/train", true);
    expect(section.el.hidden).toBe(true);
    await settled();
    expect(fetcher).toHaveBeenCalledWith("gpt2/train");
    expect(section.el.hidden).toBe(false);
    const items = [...section.el.querySelectorAll<HTMLElement>("li[data-finding]")];
    expect(items.map((li) => li.dataset.finding)).toEqual(["norm_decayed", "bias_decayed", "double_decay"]);
    expect(items[1].textContent).toBe(
      "biases decayed, which does not regularize the function on attn/bias, head/bias, x/bias (+1 more). " +
        'Fix: list "bias" in the one call. docs/findings.md#bias_decayed',
    );
    expect(items[1].querySelector("a")!.getAttribute("href")).toBe("docs/findings.md#bias_decayed");
    expect(items[0].textContent).toContain(HOSTILE);
    expect(section.el.querySelector("img")).toBeNull();
    // The plan is folded, one row per weight, under a header row per block.
    const details = section.el.querySelector("details")!;
    expect(details.open).toBe(false);
    expect(details.querySelector("summary")!.textContent).toBe("Decay plan");
    const rows = [...details.querySelectorAll("tbody tr[data-key]")].map((r) => [...r.querySelectorAll("td")].map((c) => c.textContent));
    expect(rows[0]).toEqual(["ln/gamma", "8", "—", "0.01", "norm_decayed"]);
    expect(rows[1]).toEqual(["ln/beta", "8", "—", "—", ""]);
    expect(rows[4]).toEqual([HOSTILE, "1,200", "L2(l2=0.001)", "0.01", "norm_decayed, double_decay"]);
    // The same run again: no second fetch.
    section.setRun("gpt2/train", true);
    expect(fetcher).toHaveBeenCalledTimes(1);
  });

  it("stays hidden for a run without a plan or whose fetch fails, and shows no list for a clean plan", async () => {
    const fetcher = vi.fn(async () => parseDecayPlan(answer));
    const section = new DecayPlanSection(fetcher);
    section.setRun("exp/validation", false);
    await settled();
    expect(section.el.hidden).toBe(true);
    expect(fetcher).not.toHaveBeenCalled();
    const failing = new DecayPlanSection(async () => Promise.reject(new Error("HTTP 500")));
    failing.setRun("r", true);
    await settled();
    expect(failing.el.hidden).toBe(true);
    const clean = new DecayPlanSection(async () => parseDecayPlan({ entries: answer.entries.slice(1, 2), findings: [] }));
    clean.setRun("sgd/train", true);
    await settled();
    expect(clean.el.hidden).toBe(false);
    expect(clean.el.querySelector<HTMLElement>("ul.findings")!.hidden).toBe(true);
    expect(clean.el.querySelectorAll("tbody tr[data-key]")).toHaveLength(1);
  });

  it("groups the weights by block at the dashboard's depth, each block with its parameters and findings", async () => {
    const entry = (key: string, parameters: number, findings: string[] = []) => ({ key, parameters, coupled: null, decoupled: 0.01, findings });
    const mobilenet = parseDecayPlan({
      entries: [
        entry("Conv1/kernel", 864),
        entry("block_1_expand/kernel", 1536),
        entry("block_1_expand_BN/gamma", 96, ["norm_decayed"]),
        entry("block_1_project/kernel", 2304),
        entry("block_2_expand/kernel", 3456),
        entry("predictions/bias", 10, ["bias_decayed"]),
      ],
      findings: [],
    });
    const section = new DecayPlanSection(async () => mobilenet);
    section.setRun("mobilenet_v2/train", true);
    await settled();
    const groups = () =>
      [...section.el.querySelectorAll<HTMLElement>("tbody[data-group]")].map((body) => [
        body.dataset.group,
        [...body.querySelectorAll("tr.decay-plan-group > *")].map((c) => c.textContent),
        [...body.querySelectorAll<HTMLElement>("tr[data-key]")].map((r) => r.dataset.key),
      ]);
    expect(groups()).toEqual([
      ["Conv1", ["Conv1 (1)", "864", "", "", ""], ["Conv1/kernel"]],
      ["block_1", ["block_1 (3)", "3,936", "", "", "norm_decayed"],
        ["block_1_expand/kernel", "block_1_expand_BN/gamma", "block_1_project/kernel"]],
      ["block_2", ["block_2 (1)", "3,456", "", "", ""], ["block_2_expand/kernel"]],
      ["predictions", ["predictions (1)", "10", "", "", "bias_decayed"], ["predictions/bias"]],
    ]);
    // One level deeper: the expand and project layers of a block apart.
    section.setDepth(2);
    expect(groups().map(([group]) => group)).toEqual([
      "Conv1", "block_1/expand", "block_1/expand_BN", "block_1/project", "block_2/expand", "predictions",
    ]);
  });

  it("drops the answer for a run the card no longer shows", async () => {
    let resolveFirst: (p: DecayPlan) => void = () => {};
    const fetcher = vi.fn((run: string) =>
      run === "a" ? new Promise<DecayPlan>((r) => (resolveFirst = r)) : Promise.resolve(parseDecayPlan({ entries: [], findings: [] })),
    );
    const section = new DecayPlanSection(fetcher);
    section.setRun("a", true);
    section.setRun("b", true);
    await settled();
    resolveFirst(parseDecayPlan(answer));
    await settled();
    expect(section.el.querySelectorAll("li[data-finding]")).toHaveLength(0);
  });
});

describe("RunCard with a decay plan", () => {
  it("puts the findings at the top of the card that carries the run's name", async () => {
    const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) => Response.json(answer));
    vi.stubGlobal("fetch", fetchMock);
    const b = parseBreakdown(loadFixture<Record<string, unknown>>("breakdown.json"));
    const settings: Settings = { ...DEFAULTS, smoothing: 0, order: "name" };
    const card = new RunCard(vi.fn(), vi.fn());
    card.decayPlan.setRun(b.run, true);
    card.update(b, buildRunView(b, settings, 500), settings, 500);
    await settled();
    expect(fetchMock).toHaveBeenCalledWith("decay_plan?run=exp1%2Ftrain", expect.anything());
    const finding = card.el.querySelector<HTMLElement>('[data-finding="norm_decayed"]')!;
    expect(finding.closest<HTMLElement>("[data-run]")!.dataset.run).toBe("exp1/train");
    // Right under the header, above the warnings and the charts.
    expect(card.el.children[1].classList.contains("decay-plan")).toBe(true);
    // Grouped at the dashboard's Depth, as the card's charts are.
    expect([...card.el.querySelectorAll<HTMLElement>("tbody[data-group]")].map((t) => t.dataset.group)).toEqual([
      "ln", "attn", "head", HOSTILE.slice(0, HOSTILE.lastIndexOf("/")),
    ]);
  });
});
