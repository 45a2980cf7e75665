import { describe, expect, it } from "vitest";
import { imageFileName, svgDocument } from "../src/image_export";

const SVG = "http://www.w3.org/2000/svg";

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

describe("imageFileName", () => {
  it("keeps safe characters only", () => {
    expect(imageFileName("Data loss — 4 runs", "svg")).toBe("regloss-compare-Data_loss_4_runs.svg");
    expect(imageFileName("<>", "png")).toBe("regloss-compare-chart.png");
  });
});
