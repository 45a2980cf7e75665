/**
 * A chart as an image for a paper or slides: a standalone SVG (title, the
 * chart, its legend; every style inlined, so it looks the same opened alone,
 * with no stylesheet) and a PNG drawn from it. Names are written with
 * `textContent` and serialized by XMLSerializer, so a hostile name stays text.
 */
const SVG = "http://www.w3.org/2000/svg";

/** Style properties an exported element keeps from the page's stylesheet. */
const INLINED = [
  "fill",
  "fill-opacity",
  "stroke",
  "stroke-width",
  "stroke-opacity",
  "opacity",
  "visibility",
  "font-family",
  "font-size",
  "font-weight",
] as const;

export interface ImageLegendEntry {
  name: string;
  kind: string | null;
  color: string;
}

const TITLE_HEIGHT = 24;
const ROW_HEIGHT = 16;
const SWATCH = 10;
/** Average glyph width at 11 px, for laying out legend text without measuring it. */
const CHAR_WIDTH = 6.2;
const ENTRY_GAP = 14;

/** Text of a legend entry: its name, and its kind in parentheses. */
export function entryText(e: ImageLegendEntry): string {
  return e.kind === null ? e.name : `${e.name} (${e.kind})`;
}

/**
 * Where legend entries go under a chart `width` wide: left to right, wrapping
 * to a new row when the next one would not fit; an entry wider than the chart
 * gets a row of its own.
 */
export function legendLayout(texts: readonly string[], width: number): { x: number; row: number }[] {
  let x = 0;
  let row = 0;
  return texts.map((text) => {
    const w = SWATCH + 4 + text.length * CHAR_WIDTH;
    if (x > 0 && x + w > width) {
      x = 0;
      row += 1;
    }
    const at = { x, row };
    x += w + ENTRY_GAP;
    return at;
  });
}

/**
 * Copies the computed styles of `source` and its descendants onto the same
 * elements of `copy`. A value equal to the parent's is left out (all but
 * opacity inherit, and opacity 1 is the default): a thousand bands then carry
 * their fill and little else.
 */
function inlineStyles(source: Element, copy: Element, parent: Map<string, string> = new Map()): void {
  const style = getComputedStyle(source);
  const own = new Map(INLINED.map((p) => [p, style.getPropertyValue(p)]));
  const declarations = [...own].filter(
    ([p, v]) => v !== "" && (p === "opacity" ? v !== "1" : parent.get(p) !== v),
  );
  if (declarations.length > 0) copy.setAttribute("style", declarations.map(([p, v]) => `${p}:${v}`).join(";"));
  for (let i = 0; i < source.children.length; i++) inlineStyles(source.children[i], copy.children[i], own);
}

function svgElement<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  return el;
}

/**
 * The standalone SVG text of a drawn chart with `title` above it and `legend`
 * below it, on a `background` colored sheet; `color` is the text color.
 */
export function chartSvg(
  chart: SVGSVGElement,
  title: string,
  legend: readonly ImageLegendEntry[],
  colors: { background: string; text: string },
): string {
  const width = Number(chart.getAttribute("width"));
  const chartHeight = Number(chart.getAttribute("height"));
  const copy = chart.cloneNode(true) as SVGSVGElement;
  inlineStyles(chart, copy);
  // The hover parts are not part of the picture.
  for (const el of copy.querySelectorAll(".overlay, .hover-rule")) el.remove();
  copy.removeAttribute("role");
  copy.setAttribute("y", String(TITLE_HEIGHT));
  copy.setAttribute("overflow", "visible");

  const texts = legend.map(entryText);
  const places = legendLayout(texts, width);
  const rows = places.length === 0 ? 0 : places[places.length - 1].row + 1;
  const height = TITLE_HEIGHT + chartHeight + 6 + rows * ROW_HEIGHT;
  const font = "font-family:Roboto, system-ui, sans-serif";
  const root = svgElement("svg", { width, height, viewBox: `0 0 ${width} ${height}` });
  root.appendChild(svgElement("rect", { width, height, fill: colors.background }));
  const heading = svgElement("text", { x: 4, y: 16, style: `${font};font-size:14px;font-weight:500;fill:${colors.text}` });
  heading.textContent = title;
  root.append(heading, copy);
  const legendGroup = svgElement("g", { transform: `translate(4,${TITLE_HEIGHT + chartHeight + 6})` });
  legend.forEach((e, i) => {
    const { x, row } = places[i];
    const y = row * ROW_HEIGHT;
    legendGroup.appendChild(svgElement("rect", { x, y: y + 2, width: SWATCH, height: SWATCH, rx: 2, fill: e.color }));
    const text = svgElement("text", { x: x + SWATCH + 4, y: y + 11, style: `${font};font-size:11px;fill:${colors.text}` });
    text.textContent = texts[i];
    legendGroup.appendChild(text);
  });
  root.appendChild(legendGroup);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(root)}\n`;
}

/**
 * The standalone SVG document of `svg`, on a `background` rectangle. The
 * serializer writes the SVG namespace (setting `xmlns` too would repeat it) and
 * escapes text, so names stay text.
 */
export function svgDocument(svg: SVGSVGElement, background: string): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  for (const el of Array.from(copy.querySelectorAll('[data-export="skip"]'))) el.remove();
  const rect = document.createElementNS(SVG, "rect");
  rect.setAttribute("width", "100%");
  rect.setAttribute("height", "100%");
  rect.setAttribute("fill", background);
  copy.insertBefore(rect, copy.firstChild);
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(copy) + "\n";
}

/** The pixel size an SVG text declares. */
export function svgSize(svgText: string): { width: number; height: number } {
  const root = new DOMParser().parseFromString(svgText, "image/svg+xml").documentElement;
  return { width: Number(root.getAttribute("width")), height: Number(root.getAttribute("height")) };
}

/** Draws an SVG text into a PNG at `scale` times its size (2: sharp on slides and high-density screens). */
export async function svgToPng(svgText: string, scale = 2): Promise<Blob> {
  const { width, height } = svgSize(svgText);
  const url = URL.createObjectURL(new Blob([svgText], { type: "image/svg+xml" }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const context = canvas.getContext("2d")!;
    context.scale(scale, scale);
    context.drawImage(image, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("The browser could not encode the PNG"))), "image/png"),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
