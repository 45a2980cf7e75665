// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseBreakdown } from "../../src/data/api";
import { BAR_ROWS } from "../../src/charts/bars";
import { highlight } from "../../src/charts/highlight";
import { MANY_TERMS, ManyTermsView, shortLabel } from "../../src/cards/manyterms";
import { DEFAULTS } from "../../src/data/settings";
import { mockCanvas } from "../canvas_mock";

const hostile = `<img src=x onerror="window.__xss=1">`;
let put: ReturnType<typeof vi.fn<(image: ImageData) => void>>;

beforeEach(() => {
  put = vi.fn<(image: ImageData) => void>();
  mockCanvas(put);
  highlight.set(null);
});

afterEach(() => vi.restoreAllMocks());

/** A ResNet-like run: `n` convolutions in stages of 4, term i worth i + 1 (the hostile name is the smallest). */
function breakdown(n: number) {
  const series: Record<string, number[]> = { data: [5, 4, 3] };
  for (let i = 0; i < n; i++) {
    const layer = i === 0 ? hostile : `conv${Math.floor(i / 4) + 2}_block1_${i % 4}_conv`;
    series[`penalty/${layer}/kernel`] = [i + 1, i + 1, i + 1];
  }
  return parseBreakdown({ run: "resnet/train", steps: [0, 10, 20], wall_times: [0, 1, 2], series });
}

function names(view: ManyTermsView, selector: string): string[] {
  return [...view.el.querySelectorAll<HTMLElement>(selector)].filter((e) => !e.closest("[hidden]")).map((e) => e.textContent!);
}

describe("shortLabel", () => {
  it("drops the prefix every label of the view shares, never the whole label", () => {
    expect(shortLabel("penalty/conv1_conv/kernel")).toBe("conv1_conv/kernel");
    expect(shortLabel("layer:block_1/expand")).toBe("block_1/expand");
    expect(shortLabel("kind:kernel")).toBe("kernel");
    expect(shortLabel("conv2/block1")).toBe("conv2/block1");
    expect(shortLabel("(model)")).toBe("(model)");
    expect(shortLabel("layer:")).toBe("layer:");
  });
});

describe("ManyTermsView", () => {
  it("opens by itself for many terms and draws every term, names as text", () => {
    const view = new ManyTermsView(() => "#4e79a7");
    document.body.replaceChildren(view.el);
    view.update(breakdown(MANY_TERMS), DEFAULTS, 600);
    expect(view.el.open).toBe(true);
    expect(view.el.querySelector("summary")!.textContent).toBe(`Ranking and heatmap of the ${MANY_TERMS} penalty terms`);
    expect(names(view, ".bar-name")).toHaveLength(Math.min(BAR_ROWS, MANY_TERMS));
    // Labelled heatmap rows, largest mean share on top; by term, a group's label is its series key.
    const labels = names(view, ".heatmap-label");
    expect(labels).toHaveLength(MANY_TERMS);
    expect(labels[MANY_TERMS - 1]).toBe(`${hostile}/kernel`);
    expect(labels[0]).toBe(`conv${Math.floor((MANY_TERMS - 1) / 4) + 2}_block1_${(MANY_TERMS - 1) % 4}_conv/kernel`);
    expect(view.el.querySelector("img")).toBeNull();
    // One pixel per cell: 3 steps × MANY_TERMS rows.
    expect(put).toHaveBeenCalledOnce();
    const image = put.mock.calls[0][0] as ImageData;
    expect([image.width, image.height]).toEqual([3, MANY_TERMS]);
  });

  it("is absent, and draws nothing, for fewer terms", () => {
    const view = new ManyTermsView(() => "red");
    view.update(breakdown(MANY_TERMS - 1), DEFAULTS, 600);
    expect(view.el.hidden).toBe(true);
    expect(put).not.toHaveBeenCalled();
  });

  it("follows the grouping by block and its depth", () => {
    const view = new ManyTermsView(() => "red");
    view.update(breakdown(MANY_TERMS), { ...DEFAULTS, grouping: "block", depth: 1 }, 600);
    // Stages of 4 convolutions (the first stage lost term 0, worth 1, to the hostile layer), ranked by their sums.
    const sums = new Map<string, number>();
    for (let i = 1; i < MANY_TERMS; i++) {
      const stage = `conv${Math.floor(i / 4) + 2}`;
      sums.set(stage, (sums.get(stage) ?? 0) + i + 1);
    }
    const ranked = [...sums].sort((a, b) => b[1] - a[1]).map(([stage]) => stage);
    expect(names(view, ".bar-name")).toEqual([...ranked, hostile]);
  });

  it("shows the bars at the step the chart hovers, and the last step otherwise", () => {
    const view = new ManyTermsView(() => "red");
    view.update(breakdown(MANY_TERMS), DEFAULTS, 600);
    const heading = () => view.el.querySelector(".bars-heading")!.textContent;
    expect(heading()).toBe("Penalties at step 20, largest first");
    view.showStep(1);
    expect(heading()).toBe("Penalties at step 10, largest first");
    view.showStep(null);
    expect(heading()).toBe("Penalties at step 20, largest first");
  });

  it("highlights the group of a clicked bar, and a second click clears it", () => {
    const view = new ManyTermsView(() => "red");
    document.body.replaceChildren(view.el);
    view.update(breakdown(MANY_TERMS), DEFAULTS, 600);
    const row = view.el.querySelector<HTMLElement>(".bar-row")!;
    row.click();
    expect(highlight.value).toBe(row.dataset.key);
    const mark = view.el.querySelector<HTMLElement>(".heatmap-mark")!;
    expect(mark.hidden).toBe(false);
    expect(mark.style.top).toBe("0px");
    row.click();
    expect(highlight.value).toBeNull();
    expect(mark.hidden).toBe(true);
  });

  it("keeps the user's choice to close it", () => {
    const view = new ManyTermsView(() => "red");
    view.update(breakdown(MANY_TERMS), DEFAULTS, 600);
    view.el.querySelector("summary")!.click();
    view.el.open = false;
    view.update(breakdown(MANY_TERMS + 1), DEFAULTS, 600);
    expect(view.el.open).toBe(false);
  });
});
