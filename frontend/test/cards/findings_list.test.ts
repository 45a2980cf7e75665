// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { FINDING_WHAT, findingWhere, renderFindings } from "../../src/cards/findings_list";

const HOSTILE = `<img src=x onerror=1>"q'ü🚀/kernel`;

describe("findingWhere", () => {
  it("names where a finding holds", () => {
    expect(findingWhere(["a"])).toBe("a");
    expect(findingWhere(["a", "b", "c", "d", "e"])).toBe("a, b, c (+2 more)");
  });
});

describe("renderFindings", () => {
  it("writes one line per finding, as text, and hides an empty list", () => {
    const ul = document.createElement("ul");
    renderFindings(ul, [
      { code: "decay_stalls_training", keys: ["conv1/kernel", HOSTILE], fix: "lower the decay factor" },
      { code: "some_future_code", keys: ["d/kernel"], fix: "f" },
    ]);
    expect(ul.hidden).toBe(false);
    const items = [...ul.querySelectorAll<HTMLElement>("li[data-finding]")];
    expect(items.map((li) => li.dataset.finding)).toEqual(["decay_stalls_training", "some_future_code"]);
    expect(items[0].textContent).toBe(
      `the penalties keep shrinking while the data loss stays flat on conv1/kernel, ${HOSTILE}. ` +
        "Fix: lower the decay factor. docs/findings.md#decay_stalls_training",
    );
    expect(items[1].querySelector(".finding-what")!.textContent).toBe("some_future_code");
    expect(ul.querySelector("img")).toBeNull();
    renderFindings(ul, []);
    expect(ul.hidden).toBe(true);
    expect(ul.children).toHaveLength(0);
  });

  it("knows what every code of the decay plan and of the training series means", () => {
    for (const code of ["l2_under_adaptive_optimizer", "norm_decayed", "bias_decayed", "embedding_decayed",
      "double_decay", "adapter_decayed", "decay_dominates", "decay_stalls_training"]) {
      expect(FINDING_WHAT[code]).toBeTruthy();
    }
  });
});
