// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App, SNIPPET } from "../../src/app/app";
import { loadFixture } from "../fixtures";

const breakdown = loadFixture<Record<string, unknown>>("breakdown.json");
const HOSTILE = "<img src=x onerror=window.__xss=1>";

/**
 * The backend: `runs`, `hparams` (none) and `breakdowns` answered from the fixture, every request
 * recorded; the runs of `withPlans` have a decay plan with one finding.
 */
/** Runs in `decayed` have a data loss and a penalty, so the app asks for their findings from training. */
function backend(runs: string[], status = 200, withPlans: string[] = [], decayed: string[] = []) {
  const requests: string[] = [];
  const fetch = vi.fn(async (url: string) => {
    requests.push(url);
    if (status !== 200) return new Response(JSON.stringify({ error: "boom" }), { status });
    if (url === "runs") {
      return Response.json({
        runs: runs.map((run) => ({
          run,
          terms: decayed.includes(run) ? ["total", "data", "penalty/d/kernel"] : [],
          descriptions: {},
          ...(withPlans.includes(run) ? { decay_plan: true } : {}),
        })),
      });
    }
    if (url === "hparams") return Response.json({ runs: [] });
    if (url.startsWith("decay_plan?")) {
      const entry = { key: "d/bias", parameters: 4, coupled: null, decoupled: 0.01, findings: ["bias_decayed"] };
      return Response.json({ entries: [entry], findings: [{ code: "bias_decayed", keys: ["d/bias"], fix: "exclude it" }] });
    }
    if (url.startsWith("findings?")) {
      return Response.json({ findings: [{ code: "decay_stalls_training", keys: ["d/kernel"], fix: "lower the decay factor" }] });
    }
    const wanted = new URLSearchParams(url.split("?")[1]).getAll("run");
    return Response.json({ breakdowns: wanted.map((run) => ({ ...breakdown, run })) });
  });
  vi.stubGlobal("fetch", fetch);
  return requests;
}

function memoryStorage(): Storage {
  const data = new Map<string, string>();
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) } as Storage;
}

beforeEach(() => {
  vi.stubGlobal(
    "ResizeObserver",
    class {
      observe() {}
      disconnect() {}
    },
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
  document.body.replaceChildren();
});

async function appWith(storage: Storage | null = memoryStorage()) {
  const app = new App(storage);
  document.body.appendChild(app.el);
  await app.reload();
  app.draw();
  return app;
}

const cards = (app: App) => [...app.el.querySelectorAll<HTMLElement>(".run-card")].map((c) => c.dataset.run);
const series = (app: App, run: string) =>
  [...app.el.querySelectorAll(`.run-card[data-run="${run}"] path[data-series]`)].map((p) => p.getAttribute("data-series"));

describe("App", () => {
  it("shows one card per run with one area per series, each card with its own legends", async () => {
    const requests = backend(["exp1/train", "exp1/validation"]);
    const app = await appWith();
    expect(requests).toEqual(["runs", "hparams", "breakdowns?run=exp1%2Ftrain&run=exp1%2Fvalidation&samples=1000&encoding=float32"]);
    expect(cards(app)).toEqual(["exp1/train", "exp1/validation"]);
    expect(series(app, "exp1/train")).toHaveLength(7);
    const legends = app.el.querySelectorAll('.run-card[data-run="exp1/train"] .legend');
    expect(legends).toHaveLength(2);
    expect(legends[0].querySelectorAll(".legend-entry")).toHaveLength(6);
    expect(legends[1].querySelectorAll(".legend-entry")).toHaveLength(1);
    expect(app.el.querySelector(".legend-entry .legend-label")!.textContent).toBe("data loss");
  });

  it("lists cards and the focus picker by the values in run names", async () => {
    backend(["cnn_l2_1e-2/train", "cnn_l2_1e-3/train", "cnn_l2_1e-4/train"]);
    const app = await appWith();
    const order = ["cnn_l2_1e-4/train", "cnn_l2_1e-3/train", "cnn_l2_1e-2/train"];
    expect(cards(app)).toEqual(order);
    const picker = app.el.querySelector<HTMLSelectElement>("select[name=focus-run]")!;
    expect([...picker.options].map((o) => o.value)).toEqual(order);
  });

  it("focuses a sweep point's run, keeping the sweep plot in view with the point ringed", async () => {
    const prefixes = ["wd_1e-2", "wd_1e-4", "wd_1e-3"];
    const runs = prefixes.flatMap((p) => [`${p}/train`, `${p}/validation`]);
    const requests = backend(runs);
    const answer = globalThis.fetch as (url: string) => Promise<Response>;
    vi.stubGlobal("fetch", async (url: string) => {
      if (url === "hparams") {
        requests.push(url);
        return Response.json({ runs: prefixes.map((p) => ({ run: p, hparams: { wd: Number(p.slice(3)) } })) });
      }
      if (url === "sweep") {
        requests.push(url);
        return Response.json({ runs: runs.map((run) => ({ run, step: 2, data: 1, best_data: 0.5, best_step: 1, total: 2, reg: 1 })) });
      }
      return answer(url);
    });
    const storage = memoryStorage();
    storage.setItem("tb-regloss.compare.v1", JSON.stringify({ open: true }));
    const app = await appWith(storage);
    expect(requests.slice(0, 3)).toEqual(["runs", "hparams", "sweep"]);
    const points = [...app.el.querySelectorAll<SVGCircleElement>("[data-sweep-point]")];
    expect(points.map((p) => p.getAttribute("data-sweep-point"))).toEqual(["wd_1e-4", "wd_1e-3", "wd_1e-2"]);
    points[1].dispatchEvent(new MouseEvent("click", { bubbles: true }));
    app.draw();
    expect(app.el.querySelector(".runs")!.className).toBe("runs layout-focus");
    expect(cards(app)).toEqual(["wd_1e-3/train"]);
    // The sweep plot still shows every trial, the focused one ringed.
    expect(app.el.querySelectorAll("[data-sweep-point]")).toHaveLength(3);
    expect([...app.el.querySelectorAll("[data-sweep-point][data-focused]")].map((p) => p.getAttribute("data-run"))).toEqual(["wd_1e-3/train"]);
  });

  it("shows the findings of the runs that have a decay plan, asking for no other run's", async () => {
    const requests = backend(["exp1/train", "exp1/validation"], 200, ["exp1/train"]);
    const app = await appWith();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(requests.filter((r) => r.startsWith("decay_plan"))).toEqual(["decay_plan?run=exp1%2Ftrain"]);
    const findings = [...app.el.querySelectorAll<HTMLElement>("[data-finding]")];
    expect(findings.map((f) => [f.closest<HTMLElement>("[data-run]")!.dataset.run, f.dataset.finding])).toEqual([
      ["exp1/train", "bias_decayed"],
    ]);
  });

  it("shows the findings from training of the runs with a data loss and a decay term, asking for no other run's", async () => {
    const requests = backend(["exp1/train", "exp1/validation"], 200, ["exp1/train"], ["exp1/train"]);
    const app = await appWith();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(requests.filter((r) => r.startsWith("findings"))).toEqual(["findings?run=exp1%2Ftrain"]);
    const findings = [...app.el.querySelectorAll<HTMLElement>("[data-finding]")];
    expect(findings.map((f) => [f.closest<HTMLElement>("[data-run]")!.dataset.run, f.dataset.finding])).toEqual([
      ["exp1/train", "bias_decayed"],
      ["exp1/train", "decay_stalls_training"],
    ]);
    app.draw(); // the same last step: not asked again
    expect(requests.filter((r) => r.startsWith("findings"))).toHaveLength(1);
  });

  it("lays the cards out in the columns asked for, or one focused run alone", async () => {
    backend(["exp1/train", "exp1/validation"]);
    const app = await appWith();
    const grid = app.el.querySelector<HTMLElement>(".runs")!;
    expect(grid.className).toBe("runs layout-auto");
    const layout = app.el.querySelector<HTMLSelectElement>("select[name=layout]")!;
    layout.value = "3";
    layout.dispatchEvent(new Event("change"));
    app.draw();
    expect(grid.className).toBe("runs layout-3");
    app.el.querySelector<HTMLButtonElement>('.run-card[data-run="exp1/validation"] button.focus')!.click();
    app.draw();
    expect(grid.className).toBe("runs layout-focus");
    expect(cards(app)).toEqual(["exp1/validation"]);
    expect(layout.value).toBe("focus");
    const run = app.el.querySelector<HTMLSelectElement>("select[name=focus-run]")!;
    expect(run.value).toBe("exp1/validation");
    run.value = "exp1/train";
    run.dispatchEvent(new Event("change"));
    app.draw();
    expect(cards(app)).toEqual(["exp1/train"]);
    layout.value = "auto";
    layout.dispatchEvent(new Event("change"));
    app.draw();
    expect(cards(app)).toEqual(["exp1/train", "exp1/validation"]);
  });

  it("hides a series everywhere on a legend click and keeps that across a new App", async () => {
    backend(["exp1/train"]);
    const storage = memoryStorage();
    const app = await appWith(storage);
    app.el.querySelector<HTMLButtonElement>('.legend-entry[data-key="penalty/conv/bias"]')!.click();
    app.draw();
    expect(series(app, "exp1/train")).not.toContain("penalty/conv/bias");
    expect(app.el.querySelector('.legend-entry[data-key="penalty/conv/bias"]')!.getAttribute("aria-pressed")).toBe("false");
    const again = await appWith(storage);
    expect(series(again, "exp1/train")).not.toContain("penalty/conv/bias");
    again.el.querySelector<HTMLButtonElement>('.legend-entry[data-key="penalty/conv/bias"]')!.click();
    again.draw();
    expect(series(again, "exp1/train")).toContain("penalty/conv/bias");
  });

  it("filters runs by the regex and says when none matches", async () => {
    backend(["exp1/train", "exp1/validation"]);
    const app = await appWith();
    const filter = app.el.querySelector<HTMLInputElement>("input[name=run-filter]")!;
    filter.value = "VALID";
    filter.dispatchEvent(new Event("input"));
    app.draw();
    expect(cards(app)).toEqual(["exp1/validation"]);
    filter.value = "nothing";
    filter.dispatchEvent(new Event("input"));
    app.draw();
    expect(cards(app)).toEqual([]);
    expect(app.el.querySelector(".status")!.textContent).toBe("No run matches the filter /nothing/ (2 runs have regloss data).");
  });

  it("switching the mode redraws the charts", async () => {
    backend(["exp1/train"]);
    const app = await appWith();
    const mode = app.el.querySelector<HTMLSelectElement>("select[name=mode]")!;
    mode.value = "penalties";
    mode.dispatchEvent(new Event("change"));
    app.draw();
    expect(series(app, "exp1/train")).not.toContain("data");
    expect(series(app, "exp1/train")).toHaveLength(6);
  });

  it("shows the callback snippet when no run has regloss data", async () => {
    backend([]);
    const app = await appWith();
    expect(app.el.querySelector(".empty code")!.textContent).toBe(SNIPPET);
    expect(cards(app)).toEqual([]);
  });

  it("shows the backend's error as text", async () => {
    backend(["exp1/train"], 500);
    const app = await appWith();
    expect(app.el.querySelector(".status .error")!.textContent).toBe(
      "Could not load the loss composition: GET runs failed with HTTP 500: boom",
    );
  });

  it("renders a hostile run name as text everywhere", async () => {
    backend([HOSTILE]);
    const app = await appWith();
    expect(app.el.querySelector("img")).toBeNull();
    expect(app.el.querySelector(".run-card h2")!.textContent).toBe(HOSTILE);
    expect(app.el.querySelector(".run-card svg")!.getAttribute("aria-label")).toBe(`Loss composition of run ${HOSTILE}`);
  });

  it("draws cards far below the viewport only when they scroll near", async () => {
    const requests = backend(["exp1/train", "far/away"], 200, ["far/away"], ["far/away"]);
    const observers: { callback: IntersectionObserverCallback; observed: Element[] }[] = [];
    vi.stubGlobal(
      "IntersectionObserver",
      class {
        observed: Element[] = [];
        constructor(callback: IntersectionObserverCallback) {
          observers.push({ callback, observed: this.observed });
        }
        observe(el: Element) {
          this.observed.push(el);
        }
        unobserve() {}
      },
    );
    let farTop = 10 * window.innerHeight;
    vi.spyOn(HTMLElement.prototype, "getBoundingClientRect").mockImplementation(function (this: HTMLElement) {
      const top = this.dataset.run === "far/away" ? farTop : 0;
      return { top, bottom: top + 500, left: 0, right: 400, width: 400, height: 500, x: 0, y: top } as DOMRect;
    });
    const app = await appWith();
    expect(series(app, "exp1/train")).toHaveLength(7);
    expect(series(app, "far/away")).toEqual([]);
    expect(app.el.querySelector('.run-card[data-run="far/away"] h2')!.textContent).toBe("far/away");
    // Undrawn, a card is its title alone, as tall as a drawn one, and asks the backend for nothing.
    const farCard = app.el.querySelector<HTMLElement>('.run-card[data-run="far/away"]')!;
    expect(farCard.getElementsByTagName("*")).toHaveLength(1);
    expect(farCard.classList.contains("pending")).toBe(true);
    expect(app.el.querySelector<HTMLElement>(".runs")!.style.getPropertyValue("--pending-height")).toMatch(/^\d+px$/);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(requests.filter((r) => r.startsWith("decay_plan") || r.startsWith("findings"))).toEqual([]);
    // Drawn cards are not drawn again when nothing changed.
    const before = app.el.querySelector('.run-card[data-run="exp1/train"] path[data-series]')!.getAttribute("d");

    farTop = 100;
    const far = app.el.querySelector('.run-card[data-run="far/away"]')!;
    expect(observers[0].observed).toContain(far);
    observers[0].callback([{ target: far, isIntersecting: true } as unknown as IntersectionObserverEntry], {} as IntersectionObserver);
    await new Promise((r) => requestAnimationFrame(r));
    expect(series(app, "far/away")).toHaveLength(7);
    expect(farCard.classList.contains("pending")).toBe(false);
    expect(farCard.querySelector("header h2")!.textContent).toBe("far/away");
    expect(requests.filter((r) => r.startsWith("decay_plan") || r.startsWith("findings"))).toEqual([
      "decay_plan?run=far%2Faway",
      "findings?run=far%2Faway",
    ]);
    expect(app.el.querySelector('.run-card[data-run="exp1/train"] path[data-series]')!.getAttribute("d")).toBe(before);
    vi.restoreAllMocks();
  });

  it("measures each draw as regloss:render", async () => {
    backend(["exp1/train"]);
    const app = await appWith();
    performance.clearMeasures();
    app.draw();
    expect(performance.getEntriesByName("regloss:render", "measure")).toHaveLength(1);
  });
});
