// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { parseBreakdown } from "../../src/data/api";
import { sweepRows, type SweepColumn } from "../../src/sweep/sweep";
import { renderSweepTable } from "../../src/sweep/sweep_table";

const HOSTILE = `<img src=x onerror=window.__xss=1>"q'`;

function run(name: string, data: number[]) {
  return parseBreakdown({ run: name, steps: [0, 5], wall_times: [0, 1], series: { data, total: data } });
}

const rows = sweepRows(
  [run("wd_0/train", [2, 1]), run("wd_0/validation", [3, 2.5]), run(`${HOSTILE}/train`, [4, 0.5])],
  [{ run: "wd_0", hparams: { wd: 0, [HOSTILE]: HOSTILE, augment: true } }],
);

function texts(table: HTMLTableElement, selector: string): string[] {
  return Array.from(table.querySelectorAll(selector), (el) => el.textContent ?? "");
}

describe("renderSweepTable", () => {
  it("shows run, hyperparameters, then figures, sorted, names as text", () => {
    const table = document.createElement("table");
    renderSweepTable(table, rows, { column: "data", descending: false }, () => {});
    expect(texts(table, "thead th")).toEqual([
      "Run",
      HOSTILE,
      "augment",
      "wd",
      "Total",
      "Data loss ▲",
      "Penalty share",
      "Val. data loss",
      "Best val. data loss",
      "Best val. step",
    ]);
    expect(texts(table, "tbody tr:first-child > *")).toEqual([`${HOSTILE}`, "–", "–", "–", "0.5", "0.5", "–", "–", "–", "–"]);
    expect(texts(table, "tbody tr:nth-child(2) > *")).toEqual(["wd_0", HOSTILE, "true", "0", "1", "1", "–", "2.5", "2.5", "5"]);
    expect(table.querySelector("img")).toBeNull();
    expect(table.querySelector('th[aria-sort="ascending"]')!.textContent).toBe("Data loss ▲");
    // Short values stay on one line; the 33-character hostile value may wrap.
    const cells = Array.from(table.querySelectorAll("tbody tr:nth-child(2) td.hparam"), (td) => td.className);
    expect(cells).toEqual(["hparam long", "hparam", "hparam"]);
  });

  it("reports the header clicked", () => {
    const table = document.createElement("table");
    const clicked: SweepColumn[] = [];
    renderSweepTable(table, rows, { column: "run", descending: true }, (c) => clicked.push(c));
    for (const button of Array.from(table.querySelectorAll("thead button"))) (button as HTMLButtonElement).click();
    expect(clicked).toEqual([
      "run",
      `hparam:${HOSTILE}`,
      "hparam:augment",
      "hparam:wd",
      "total",
      "data",
      "penaltyShare",
      "validationData",
      "bestValidationData",
      "bestValidationStep",
    ]);
    expect(texts(table, "tbody th")).toEqual(["wd_0", HOSTILE]);
  });
});
