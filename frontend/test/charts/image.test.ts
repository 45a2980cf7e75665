// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { chartSvg, entryText, legendLayout, svgDocument, svgSize } from "../../src/charts/image";

const SVG = "http://www.w3.org/2000/svg";

function drawnChart(): SVGSVGElement {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("width", "300");
  svg.setAttribute("height", "200");
  svg.setAttribute("role", "img");
  svg.innerHTML =
    '<g><path data-series="data" d="M0,0L1,1" fill="#8a9bb0"></path>' +
    '<line class="hover-rule"></line><rect class="overlay"></rect><g class="axis"><text>0.5</text></g></g>';
  document.body.appendChild(svg);
  return svg;
}

describe("legendLayout", () => {
  it("fills rows left to right and wraps", () => {
    // 14 + 6.2 per character, 14 between entries.
    expect(legendLayout(["abcde", "abcde", "abcde"], 120)).toEqual([
      { x: 0, row: 0 },
      { x: 59, row: 0 },
      { x: 0, row: 1 },
    ]);
    expect(legendLayout(["x".repeat(100)], 120)).toEqual([{ x: 0, row: 0 }]);
  });
});

describe("entryText", () => {
  it("adds the kind in parentheses", () => {
    expect(entryText({ name: "conv/kernel", kind: "kernel", color: "#000" })).toBe("conv/kernel (kernel)");
    expect(entryText({ name: "data loss", kind: null, color: "#000" })).toBe("data loss");
  });
});

describe("chartSvg", () => {
  const hostile = '<img src=x onerror="window.__xss=1">&"\u00e9';
  const text = chartSvg(drawnChart(), `run ${hostile}`, [
    { name: "data loss", kind: null, color: "#8a9bb0" },
    { name: hostile, kind: "kernel", color: "#4e79a7" },
  ], { background: "#ffffff", text: "#212121" });
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");

  it("is a standalone SVG document that parses back", () => {
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(doc.querySelector("parsererror")).toBeNull();
    expect(doc.documentElement.localName).toBe("svg");
    // Title 24 + chart 200 + 6 + two legend rows of 16 (the long name wraps).
    expect(svgSize(text)).toEqual({ width: 300, height: 262 });
  });

  it("keeps the bands and drops the hover parts", () => {
    expect(doc.querySelectorAll("path[data-series]")).toHaveLength(1);
    expect(doc.querySelector(".overlay, .hover-rule")).toBeNull();
  });

  it("writes the title and hostile names as text", () => {
    const texts = [...doc.querySelectorAll("text")].map((t) => t.textContent);
    expect(texts).toEqual([`run ${hostile}`, "0.5", "data loss", `${hostile} (kernel)`]);
    expect(doc.querySelector("img")).toBeNull();
    expect(text).not.toContain("<img");
  });

  it("inlines the computed styles, leaving out what the parent already has", () => {
    const chart = doc.documentElement.querySelector("svg")!;
    expect(chart.getAttribute("style")).toContain("fill:rgb(0, 0, 0)");
    // The path's computed style (jsdom knows no presentation attributes) equals its parent's.
    expect(doc.querySelector("path[data-series]")!.getAttribute("style")).toBeNull();
  });
});

function chart(): SVGSVGElement {
  const svg = document.createElementNS(SVG, "svg") as SVGSVGElement;
  svg.setAttribute("width", "300");
  const text = document.createElementNS(SVG, "text");
  text.textContent = `<img src=x onerror=alert(1)> "q'&`;
  const rule = document.createElementNS(SVG, "line");
  rule.setAttribute("data-export", "skip");
  svg.append(text, rule);
  return svg;
}

describe("svgDocument", () => {
  it("writes a standalone document on a background, without the interactive parts", () => {
    const svg = chart();
    expect(svgDocument(svg, "#fff")).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<svg xmlns="${SVG}" width="300"><rect width="100%" height="100%" fill="#fff"/>` +
        `<text>&lt;img src=x onerror=alert(1)&gt; "q'&amp;</text></svg>\n`,
    );
    expect(svg.querySelector("line")).not.toBeNull();
  });

  it("parses back as XML with the names as text", () => {
    const doc = new DOMParser().parseFromString(svgDocument(chart(), "#303030"), "image/svg+xml");
    expect(doc.querySelector("parsererror")).toBeNull();
    expect(doc.querySelector("text")!.textContent).toBe(`<img src=x onerror=alert(1)> "q'&`);
    expect(doc.querySelector("img")).toBeNull();
  });
});
