// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseBreakdown, parseRuns, parseTrainingFindings, type DecayFinding } from "../../src/data/api";
import { RunCard } from "../../src/cards/card";
import { DEFAULTS, type Settings } from "../../src/data/settings";
import { mayHaveFindings, TrainingFindingsSection } from "../../src/cards/training_findings_section";
import { buildRunView } from "../../src/cards/view";
import { loadFixture } from "../fixtures";

/** What `/findings` answers for the demo's cnn_l2_1e-2. */
const answer = {
  run: "cnn_l2_1e-2/train",
  findings: [
    { code: "decay_dominates", keys: ["conv1/kernel", "conv2/kernel", "fc/kernel"], fix: "lower the decay of these weights" },
    { code: "decay_stalls_training", keys: ["conv1/kernel", "conv2/kernel", "fc/kernel", "logits/kernel"], fix: "lower the decay factor" },
  ],
};

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));
const codes = (el: HTMLElement) => [...el.querySelectorAll<HTMLElement>("li[data-finding]")].map((li) => li.dataset.finding);

beforeEach(() => void vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue(null));
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("parseTrainingFindings", () => {
  it("reads the route's answer and refuses another shape", () => {
    expect(parseTrainingFindings(answer).map((f) => f.code)).toEqual(["decay_dominates", "decay_stalls_training"]);
    expect(parseTrainingFindings({ run: "r", findings: [] })).toEqual([]);
    expect(() => parseTrainingFindings({ run: "r" })).toThrow(/a list `findings`/);
    expect(() => parseTrainingFindings({ findings: [{ code: "x" }] })).toThrow(/`code`, `keys` and `fix`/);
  });
});

describe("mayHaveFindings", () => {
  it("asks for a run with decay ratios, or with a data loss and a decay term", () => {
    const [ratios, decayed, adamw, undecayed, noData] = parseRuns({
      runs: [
        { run: "a", terms: ["total"], dynamics: ["weight_norm", "decay_ratio"] },
        { run: "b", terms: ["total", "data", "penalty/d/kernel"] },
        { run: "c", terms: ["total", "data", "decoupled/d/kernel"], dynamics: ["weight_norm"] },
        { run: "d", terms: ["total", "data"] },
        { run: "e", terms: ["total", "penalty/d/kernel"] },
      ],
    });
    expect([ratios, decayed, adamw, undecayed, noData].map(mayHaveFindings)).toEqual([true, true, true, false, false]);
  });
});

describe("TrainingFindingsSection", () => {
  it("shows the run's findings, asks again at a later step only, and keeps them shown meanwhile", async () => {
    let calls = 0;
    let resolveLater: (f: DecayFinding[]) => void = () => {};
    const fetcher = vi.fn((_run: string) => {
      calls += 1;
      return calls === 1 ? Promise.resolve(parseTrainingFindings(answer)) : new Promise<DecayFinding[]>((r) => (resolveLater = r));
    });
    const section = new TrainingFindingsSection(fetcher);
    expect(section.el.hidden).toBe(true);
    section.setRun("cnn_l2_1e-2/train", true, 160);
    await settled();
    expect(fetcher).toHaveBeenCalledWith("cnn_l2_1e-2/train");
    expect(section.el.hidden).toBe(false);
    expect(codes(section.el)).toEqual(["decay_dominates", "decay_stalls_training"]);
    section.setRun("cnn_l2_1e-2/train", true, 160);
    expect(fetcher).toHaveBeenCalledTimes(1);
    section.setRun("cnn_l2_1e-2/train", true, 320);
    expect(fetcher).toHaveBeenCalledTimes(2);
    expect(codes(section.el)).toEqual(["decay_dominates", "decay_stalls_training"]);
    resolveLater([answer.findings[1]]);
    await settled();
    expect(codes(section.el)).toEqual(["decay_stalls_training"]);
  });

  it("clears the findings of another run at once, drops its late answer, and hides on failure or none", async () => {
    let resolveFirst: (f: DecayFinding[]) => void = () => {};
    const fetcher = vi.fn((run: string) =>
      run === "a" ? new Promise<DecayFinding[]>((r) => (resolveFirst = r)) : Promise.resolve([]),
    );
    const section = new TrainingFindingsSection(fetcher);
    section.setRun("a", true, 1);
    section.setRun("b", true, 1);
    resolveFirst(parseTrainingFindings(answer));
    await settled();
    expect(section.el.hidden).toBe(true);
    expect(codes(section.el)).toEqual([]);
    section.setRun("c", false, 1);
    expect(fetcher).toHaveBeenCalledTimes(2);
    const failing = new TrainingFindingsSection(async () => Promise.reject(new Error("HTTP 500")));
    failing.setRun("r", true, 1);
    await settled();
    expect(failing.el.hidden).toBe(true);
  });
});

describe("RunCard with findings from training", () => {
  it("shows them under the decay plan, inside the element that carries the run's name", async () => {
    const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) => Response.json(answer));
    vi.stubGlobal("fetch", fetchMock);
    const b = parseBreakdown(loadFixture<Record<string, unknown>>("breakdown.json"));
    const settings: Settings = { ...DEFAULTS, smoothing: 0, order: "name" };
    const card = new RunCard(vi.fn(), vi.fn());
    card.el.dataset.run = b.run;
    card.trainingFindings.setRun(b.run, true, b.steps[b.steps.length - 1]);
    card.update(b, buildRunView(b, settings, 500), settings, 500);
    await settled();
    expect(fetchMock).toHaveBeenCalledWith("findings?run=exp1%2Ftrain", expect.anything());
    const finding = card.el.querySelector<HTMLElement>('[data-finding="decay_dominates"]')!;
    expect(finding.closest<HTMLElement>("[data-run]")!.dataset.run).toBe("exp1/train");
    expect(card.el.children[2]).toBe(card.trainingFindings.el);
  });
});
