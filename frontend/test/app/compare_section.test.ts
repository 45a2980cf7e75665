// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { parseBreakdown } from "../../src/data/api";
import { CompareSection } from "../../src/app/compare_section";

const HOSTILE = `<img src=x onerror=window.__xss=1>"q'ü🚀`;

function run(name: string, data: number[], penalty: number[] = [0.5, 0.25, 0.125]) {
  const total = data.map((d, i) => d + penalty[i]);
  return parseBreakdown({
    run: name,
    steps: [0, 10, 20],
    wall_times: [0, 1, 2],
    series: { total, data, "penalty/dense/kernel": penalty },
  });
}

const breakdowns = [
  run("wd_0/train", [2, 1, 0.5]),
  run("wd_0/validation", [3, 2, 2.5]),
  run(`${HOSTILE}/train`, [200, 208, 210]),
];

/** Storage in memory; the section starts open unless `open` is false. */
function memoryStorage(open = true): Storage {
  const data = new Map<string, string>([["tb-regloss.compare.v1", JSON.stringify({ open })]]);
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) } as Storage;
}

function mount(storage: Storage | null = memoryStorage()): CompareSection {
  const section = new CompareSection(storage);
  document.body.appendChild(section.el);
  return section;
}

afterEach(() => document.body.replaceChildren());

describe("CompareSection", () => {
  it("starts folded, draws only once opened, and remembers it", () => {
    const storage = memoryStorage(false);
    const section = mount(storage);
    section.update(breakdowns, [], 0);
    expect(section.el.hidden).toBe(false);
    expect(section.el.querySelector("summary")!.textContent).toBe("Compare runs (3)");
    expect(section.el.querySelectorAll("path[data-run]")).toHaveLength(0);
    const details = section.el.querySelector("details")!;
    details.open = true;
    details.dispatchEvent(new Event("toggle"));
    expect(section.el.querySelectorAll("path[data-run]")).toHaveLength(3);
    expect(JSON.parse(storage.getItem("tb-regloss.compare.v1")!).open).toBe(true);
    expect(mount(storage).el.querySelector("details")!.open).toBe(true);
    expect(mount(null).el.querySelector("details")!.open).toBe(false);
  });

  it("keeps the choices of the comparison and of the sweep in one stored object, as before they were two panels", () => {
    const storage = memoryStorage();
    storage.setItem("tb-regloss.compare.v1", JSON.stringify({ open: true, log: true, sortColumn: "data", sortDescending: true, sweepMetric: "junk" }));
    const section = mount(storage);
    section.update(breakdowns, [], 0);
    expect(section.el.querySelector<HTMLInputElement>('input[type="checkbox"]')!.checked).toBe(true);
    expect(section.el.querySelector(".sweep-table th[aria-sort=descending]")!.textContent).toContain("Data loss");
    const select = section.el.querySelector("select")!;
    select.value = "total";
    select.dispatchEvent(new Event("change"));
    expect(JSON.parse(storage.getItem("tb-regloss.compare.v1")!)).toEqual({
      open: true,
      key: "total",
      log: true,
      sortColumn: "data",
      sortDescending: true,
      sweepX: "",
      sweepMetric: "validation",
      sweepColor: null,
    });
  });

  it("stays hidden for a single run", () => {
    const section = mount();
    section.update(breakdowns.slice(0, 1), [], 0);
    expect(section.el.hidden).toBe(true);
  });

  it("draws one line per run, titles and legends them, and lists the sweep", () => {
    const section = mount();
    section.update(breakdowns, [{ run: "wd_0", hparams: { weight_decay: 0 } }], 0);
    expect(section.el.hidden).toBe(false);
    const lines = Array.from(section.el.querySelectorAll("path[data-run]"), (p) => p.getAttribute("data-run"));
    expect(lines).toEqual(["wd_0/train", "wd_0/validation", `${HOSTILE}/train`]);
    expect(section.el.querySelector('path[data-run="wd_0/validation"]')!.getAttribute("stroke-dasharray")).toBe("6 3");
    expect(section.el.querySelector('path[data-run="wd_0/train"]')!.getAttribute("stroke-dasharray")).toBeNull();
    expect(section.el.querySelector(".compare-title")!.textContent).toBe("Data loss — 3 runs, raw values");
    const legend = Array.from(section.el.querySelectorAll(".compare-legend g title"), (t) => t.textContent);
    expect(legend).toEqual(["wd_0/train", "wd_0/validation", `${HOSTILE}/train`]);
    expect(Array.from(section.el.querySelectorAll(".sweep-table tbody th"), (t) => t.textContent)).toEqual([HOSTILE, "wd_0"]);
    expect(section.el.querySelector(".sweep-table thead")!.textContent).toContain("weight_decay");
    expect(section.el.querySelector("img")).toBeNull();
  });

  it("switches series and log scale from its controls, and keeps the choice", () => {
    const storage = memoryStorage();
    const section = mount(storage);
    section.update(breakdowns, [], 0.6);
    const select = section.el.querySelector("select")!;
    expect(Array.from(select.options, (o) => o.value).slice(0, 5)).toEqual(["data", "total", "penalties", "share", "layer:dense"]);
    select.value = "share";
    select.dispatchEvent(new Event("change"));
    const log = section.el.querySelector<HTMLInputElement>('input[type="checkbox"]')!;
    log.checked = true;
    log.dispatchEvent(new Event("change"));
    expect(section.el.querySelector(".compare-title")!.textContent).toBe(
      "Penalty share of the total — 3 runs, log scale, smoothed 0.6 (raw faint)",
    );
    const again = mount(storage);
    again.update(breakdowns, [], 0.6);
    expect(again.el.querySelector("select")!.value).toBe("share");
    expect(again.el.querySelector<HTMLInputElement>('input[type="checkbox"]')!.checked).toBe(true);
  });

  it("sorts the sweep table when a header is clicked, descending on the second click", () => {
    const section = mount();
    section.update(breakdowns, [], 0);
    const prefixes = () => Array.from(section.el.querySelectorAll(".sweep-table tbody th"), (t) => t.textContent);
    const header = (title: string) =>
      Array.from(section.el.querySelectorAll<HTMLButtonElement>(".sweep-table thead button")).find((b) => b.textContent!.startsWith(title))!;
    header("Data loss").click();
    expect(prefixes()).toEqual(["wd_0", HOSTILE]);
    header("Data loss").click();
    expect(prefixes()).toEqual([HOSTILE, "wd_0"]);
  });

  it("lists the runs that do not have the chosen series", () => {
    const section = mount();
    const plain = parseBreakdown({ run: "plain/train", steps: [0], wall_times: [0], series: { data: [1] } });
    section.update([...breakdowns, plain], [], 0);
    const select = section.el.querySelector("select")!;
    select.value = "penalties";
    select.dispatchEvent(new Event("change"));
    expect(section.el.querySelector(".compare > details > .notice")!.textContent).toBe("Without Penalties (sum): plain/train");
  });
});

describe("CompareSection on a log axis", () => {
  it("leaves zeros out of the lines instead of pinning them to the bottom", () => {
    const section = mount();
    const zero = run("zero/train", [0, 0, 0], [0, 0, 0]);
    section.update([zero, breakdowns[0]], [], 0);
    const log = section.el.querySelector<HTMLInputElement>('input[type="checkbox"]')!;
    log.checked = true;
    log.dispatchEvent(new Event("change"));
    expect(section.el.querySelector('path[data-run="zero/train"]')!.getAttribute("d")).toBe("");
    expect(section.el.querySelector('path[data-run="wd_0/train"]')!.getAttribute("d")).toMatch(/^M[-0-9.]+,[-0-9.]+L/);
  });

  it("takes the dashboard's log ticks, each one labelled", () => {
    const section = mount();
    section.update(breakdowns, [], 0);
    const log = section.el.querySelector<HTMLInputElement>('input[type="checkbox"]')!;
    log.checked = true;
    log.dispatchEvent(new Event("change"));
    // The y axis is the plot's one axis group without a transform of its own.
    const labels = [...section.el.querySelectorAll(".compare-chart g:not([transform]) > .tick text")].map((t) => t.textContent);
    // Data losses from 0.5 to 210: a tick per decade, no unlabelled marks between.
    expect(labels).toEqual(["1", "10", "100"]);
  });
});
