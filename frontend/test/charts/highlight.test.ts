// @vitest-environment jsdom
import { describe, expect, it, vi } from "vitest";
import { cssString, Highlight, highlightRules } from "../../src/charts/highlight";

describe("cssString", () => {
  it("quotes, and writes everything but letters, digits and /_:.- as hex escapes", () => {
    expect(cssString("penalty/conv_1/kernel:x.y-z")).toBe('"penalty/conv_1/kernel:x.y-z"');
    expect(cssString(`a"b\\c`)).toBe('"a\\22 b\\5c c"');
    expect(cssString("a\nb 🚀")).toBe('"a\\a b\\20 \\1f680 "');
  });

  it("makes selectors that match hostile keys exactly", () => {
    document.body.innerHTML = "";
    const keys = [`penalty/"q'ü🚀 <b>/kernel`, "penalty/<img src=x onerror=alert(1)>/kernel", "a\\b\nc", "]"];
    for (const key of keys) {
      const el = document.createElement("div");
      el.dataset.key = key;
      document.body.appendChild(el);
    }
    for (const key of keys) {
      const found = document.querySelectorAll(`[data-key=${cssString(key)}]`);
      expect(found).toHaveLength(1);
      expect((found[0] as HTMLElement).dataset.key).toBe(key);
    }
  });
});

describe("highlightRules", () => {
  it("is empty without a key, and names the key in every rule otherwise", () => {
    expect(highlightRules(null)).toBe("");
    const rules = highlightRules("layer:conv").split("\n");
    expect(rules).toHaveLength(5);
    for (const rule of rules) expect(rule).toContain('="layer:conv"]');
  });
});

describe("Highlight", () => {
  it("toggles a key, writes one stylesheet and tells its listeners", () => {
    const h = new Highlight();
    const seen = vi.fn();
    const stop = h.listen(seen);
    h.toggle("a");
    expect(h.value).toBe("a");
    h.toggle("b");
    h.toggle("b");
    expect(h.value).toBeNull();
    expect(seen.mock.calls).toEqual([["a"], ["b"], [null]]);
    const sheets = document.head.querySelectorAll("style[data-role=regloss-highlight]");
    expect(sheets).toHaveLength(1);
    expect(sheets[0].textContent).toBe("");
    stop();
    h.set("c");
    expect(seen).toHaveBeenCalledTimes(3);
    expect(sheets[0].textContent).toContain('="c"]');
  });
});
