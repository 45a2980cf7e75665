/**
 * PNG and SVG downloads of a chart drawn as a self-contained SVG (colours as
 * attributes, title and legend inside). The SVG file is the chart's markup
 * with a background and without the interactive parts (`data-export="skip"`);
 * the PNG is that SVG drawn on a canvas at twice its size, for slides and papers.
 */

const SVG = "http://www.w3.org/2000/svg";
/** PNG pixels per SVG pixel: sharp on high-density screens and in print. */
export const PNG_SCALE = 2;

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

/** `title` as a file name: `Data loss — 4 runs` → `regloss-compare-Data_loss_4_runs.svg`. */
export function imageFileName(title: string, extension: "png" | "svg" | "csv" | "json"): string {
  const safe = title.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^_+|_+$/g, "");
  return `regloss-compare-${safe || "chart"}.${extension}`;
}

/** Saves `blob` as a file through a temporary object URL. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Renders an SVG document of `width` × `height` pixels to a PNG blob at `PNG_SCALE`. */
export function svgToPng(svgText: string, width: number, height: number): Promise<Blob> {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(new Blob([svgText], { type: "image/svg+xml" }));
    const image = new Image();
    image.onload = () => {
      URL.revokeObjectURL(url);
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(width * PNG_SCALE);
      canvas.height = Math.round(height * PNG_SCALE);
      const context = canvas.getContext("2d");
      if (!context) return reject(new Error("No 2D canvas to draw the PNG on"));
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("The canvas gave no PNG"))), "image/png");
    };
    image.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error("The chart's SVG could not be drawn as an image"));
    };
    image.src = url;
  });
}
