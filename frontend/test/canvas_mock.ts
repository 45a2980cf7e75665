import { vi } from "vitest";

/** jsdom has no canvas: every canvas gets a 2D context that hands each image put into it to `put`. */
export function mockCanvas(put: (image: ImageData) => void = () => {}): void {
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockImplementation(
    () =>
      ({
        createImageData: (w: number, h: number) => ({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4) }),
        putImageData: put,
      }) as unknown as CanvasRenderingContext2D,
  );
}
