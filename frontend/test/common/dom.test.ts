// @vitest-environment jsdom
import { describe, expect, it, vi } from "vitest";
import { downloadButton, element } from "../../src/common/dom";

describe("element", () => {
  it("makes an element with its class and text as text, appended when given a parent", () => {
    const parent = document.createElement("div");
    const hostile = "<img src=x onerror=window.__xss=1>";
    const span = element("span", "name", hostile, parent);
    expect(span.className).toBe("name");
    expect(span.textContent).toBe(hostile);
    expect(parent.firstChild).toBe(span);
    expect(parent.querySelector("img")).toBeNull();
    expect(element("div", "empty").textContent).toBe("");
  });
});

describe("downloadButton", () => {
  it("is a button that says what it saves and runs its action on click", () => {
    const onClick = vi.fn();
    const b = downloadButton("PNG", "Save the chart as a PNG image", onClick);
    expect([b.type, b.className, b.textContent, b.title]).toEqual(["button", "download", "PNG", "Save the chart as a PNG image"]);
    expect(b.getAttribute("aria-label")).toBe("Save the chart as a PNG image");
    b.click();
    expect(onClick).toHaveBeenCalledTimes(1);
  });
});
