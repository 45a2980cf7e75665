// @vitest-environment jsdom
import { describe, expect, it, vi } from "vitest";
import { parseBreakdown } from "../../src/data/api";
import { groupTerms } from "../../src/data/group";
import { latestRows, renderDetailsTable, renderLatestTable, sortRows } from "../../src/cards/table";
import { loadFixture } from "../fixtures";

const b = parseBreakdown(loadFixture("breakdown.json"));
const PENALTY_SUM = 0.076 + 0.0034 + 0.166 + 0.059 + 0.01;

describe("latestRows", () => {
  const rows = latestRows(b);

  it("has the data loss, every penalty and every decoupled term (no total)", () => {
    expect(rows.map((r) => r.key)).toEqual([
      "data",
      "penalty/conv/bias",
      "penalty/conv/kernel",
      "penalty/dense/activity",
      "penalty/dense/kernel",
      "penalty/model/noise/add_loss",
      "decoupled/dense/kernel",
    ]);
    expect(rows.map((r) => [r.label, r.kind])).toEqual([
      ["data loss", null],
      ["conv/bias", "bias"],
      ["conv/kernel", "kernel"],
      ["dense/activity", "activity"],
      ["dense/kernel", "kernel"],
      ["model/noise/add_loss", "add_loss"],
      ["dense/kernel", "decoupled"],
    ]);
  });

  it("gives decoupled decay no share: it is not part of the loss", () => {
    const decoupled = rows[rows.length - 1];
    expect(decoupled.value).not.toBeNull();
    expect(decoupled.share).toBeNaN();
    expect(decoupled.penaltyShare).toBeNaN();
  });

  it("gives the latest value, its step, its share of the total and of the penalties", () => {
    const data = rows[0];
    expect(data).toEqual({ key: "data", label: "data loss", kind: null, value: 0.45, step: 350, share: 0.45 / 0.7644, penaltyShare: NaN });
    const dense = rows.find((r) => r.key === "penalty/dense/kernel")!;
    expect(dense.value).toBe(0.166);
    expect(dense.share).toBeCloseTo(0.166 / 0.7644, 12);
    expect(dense.penaltyShare).toBeCloseTo(0.166 / PENALTY_SUM, 12);
  });
});

describe("latestRows of grouped terms", () => {
  it("lists the data loss and every group, with the groups' latest sums", () => {
    const rows = latestRows(b, groupTerms(b, "penalty", "layer", 0, (k) => b.columns.get(k)!));
    expect(rows.map((r) => [r.key, r.label])).toEqual([
      ["data", "data loss"],
      ["layer:conv", "conv"],
      ["layer:dense", "dense"],
      ["layer:model/noise", "model/noise"],
      ["decoupled/dense/kernel", "dense/kernel"],
    ]);
    const conv = rows[1];
    expect(conv.value).toBeCloseTo(0.076 + 0.0034, 12);
    expect(conv.step).toBe(350);
    expect(conv.penaltyShare).toBeCloseTo((0.076 + 0.0034) / PENALTY_SUM, 12);
  });
});

describe("sortRows", () => {
  const rows = latestRows(b);

  it("sorts by value, largest first, and back", () => {
    expect(sortRows(rows, "value", true).map((r) => r.value)).toEqual([0.45, 0.166, 0.076, 0.059, 0.01, 0.0083, 0.0034]);
    expect(sortRows(rows, "value", false).map((r) => r.value)).toEqual([0.0034, 0.0083, 0.01, 0.059, 0.076, 0.166, 0.45]);
  });

  it("sorts by term name, and puts undefined shares last when descending", () => {
    // By the name shown: the data loss sorts among the terms.
    expect(sortRows(rows, "term", false).map((r) => r.label)).toEqual([
      "conv/bias",
      "conv/kernel",
      "data loss",
      "dense/activity",
      "dense/kernel",
      "dense/kernel",
      "model/noise/add_loss",
    ]);
    const byPenaltyShare = sortRows(rows, "penaltyShare", true);
    expect(byPenaltyShare[0].key).toBe("penalty/dense/kernel");
    expect(byPenaltyShare.slice(-2).map((r) => r.key)).toEqual(["data", "decoupled/dense/kernel"]);
  });

  it("does not reorder its input", () => {
    const before = rows.map((r) => r.key);
    sortRows(rows, "value", true);
    expect(rows.map((r) => r.key)).toEqual(before);
  });
});

describe("renderLatestTable", () => {
  it("renders the sorted rows up to the limit, with formatted cells", () => {
    const table = document.createElement("table");
    renderLatestTable(table, latestRows(b), "value", true, 3, () => {});
    const body = [...table.tBodies[0].rows];
    expect(body.map((tr) => tr.dataset.key)).toEqual(["data", "penalty/dense/kernel", "penalty/conv/kernel"]);
    expect([...body[1].cells].map((c) => c.textContent)).toEqual(["dense/kernel kernel", "0.166", "21.7%", "52.8%"]);
    expect(body[1].cells[0].querySelector(".kind")!.textContent).toBe("kernel");
    // The name may wrap after its slash, nowhere else.
    expect(body[1].cells[0].querySelector(".term-name")!.innerHTML).toBe("dense/<wbr>kernel");
    expect(body[0].cells[1].getAttribute("title")).toBe("at step 350");
  });

  it("marks the sorted column and reports header clicks", () => {
    const table = document.createElement("table");
    const onSort = vi.fn();
    renderLatestTable(table, latestRows(b), "share", false, 10, onSort);
    const headers = [...table.tHead!.rows[0].cells];
    expect(headers.map((h) => h.getAttribute("aria-sort"))).toEqual([null, null, "ascending", null]);
    expect(headers[2].textContent).toBe("Share of total ▲");
    headers[0].querySelector("button")!.click();
    expect(onSort).toHaveBeenCalledWith("term");
  });

  it("renders a hostile term name as text", () => {
    const hostile = "penalty/<img src=x onerror=alert(1)>/kernel";
    const h = parseBreakdown({ run: "h", steps: [1], wall_times: [1], series: { [hostile]: [0.5] } });
    const table = document.createElement("table");
    renderLatestTable(table, latestRows(h), "value", true, 10, () => {});
    expect(table.querySelector("img")).toBeNull();
    expect(table.tBodies[0].rows[0].cells[0].querySelector(".term-name")!.textContent).toBe(hostile.slice("penalty/".length));
  });
});

describe("renderDetailsTable", () => {
  const cells = (table: HTMLTableElement) =>
    [...table.tBodies[0].rows].map((tr) => [...tr.cells].map((c) => c.textContent));

  it("lists each term's layer, weight, kind, parameters, regularizer and factor", () => {
    const table = document.createElement("table");
    renderDetailsTable(table, b);
    expect([...table.tHead!.rows[0].cells].map((c) => c.textContent)).toEqual([
      "Term",
      "Layer",
      "Weight",
      "Kind",
      "Parameters",
      "Regularizer",
      "Factor",
    ]);
    const rows = cells(table);
    expect(rows[0]).toEqual(["conv/bias", "conv", "bias", "bias", "–", "L1(l1=0.0001)", "0.0001"]);
    expect(rows.find((r) => r[0] === "dense/kernel")).toEqual([
      "dense/kernel",
      "dense",
      "kernel",
      "kernel",
      "–",
      "L1L2(l1=0.0, l2=0.01)",
      "l1=0.0, l2=0.01",
    ]);
    expect(rows.find((r) => r[0] === "dense/activity")).toEqual([
      "dense/activity",
      "dense",
      "–",
      "activity",
      "–",
      "L1(l1=0.001)",
      "0.001",
    ]);
    expect(rows.find((r) => r[0] === "model/noise/add_loss")!.slice(4)).toEqual(["–", "–", "–"]);
    expect(rows[rows.length - 1]).toEqual([
      "dense/kernel",
      "dense",
      "kernel",
      "decoupled decay",
      "–",
      "AdamW(weight_decay=0.004)",
      "0.004",
    ]);
  });

  it("reads the descriptions tb_regloss writes, and keeps the whole text as the title", () => {
    const { descriptions } = loadFixture<{ descriptions: { case: string; text: string }[] }>("descriptions.json");
    const text = (c: string) => descriptions.find((d) => d.case === c)!.text;
    const d = parseBreakdown({
      run: "d",
      steps: [1],
      wall_times: [1],
      series: {
        "penalty/conv/kernel": [0.5],
        "penalty/noise/add_loss": [0.1],
        "penalty/big/kernel": [0.2],
        "decoupled/conv/kernel": [0.01],
      },
      descriptions: {
        "penalty/conv/kernel": text("kernel_l2"),
        "penalty/noise/add_loss": text("add_loss"),
        "penalty/big/kernel": "L2(l2=4e-05) on big/kernel (shape 3×3×512×512, 2359296 parameters)",
        "decoupled/conv/kernel": text("decoupled"),
      },
    });
    const table = document.createElement("table");
    renderDetailsTable(table, d);
    const rows = cells(table);
    expect(rows.map((r) => r.slice(4))).toEqual([
      ["2,359,296", "L2(l2=4e-05)", "4e-05"],
      ["96", "L2(l2=0.01)", "0.01"],
      ["–", "–", "–"],
      ["96", "AdamW(weight_decay=0.2)", "0.2"],
    ]);
    const titles = [...table.tBodies[0].rows].map((tr) => tr.cells[5].getAttribute("title"));
    expect(titles[1]).toBe(text("kernel_l2"));
    expect(titles[2]).toBe(text("add_loss"));
    expect(titles[3]).toBe(text("decoupled"));
  });

  it("shows the model's own terms under (model) and keeps a #N in the weight", () => {
    const v2 = parseBreakdown({
      run: "v2",
      steps: [1],
      wall_times: [1],
      series: {
        "penalty/activity": [0.1],
        "penalty/kernel": [0.2],
        "penalty/variable#2": [0.3],
        "penalty/d/kernel#2": [0.4],
        "penalty/bi/forward_lstm/lstm_cell/kernel": [0.5],
        "decoupled/kernel": [0.01],
      },
      descriptions: {
        "penalty/kernel": "L2(l2=0.5) on kernel (shape 4×2, 8 parameters)",
        "penalty/d/kernel#2": "L2(l2=0.01) on d/kernel#2 (shape 2×2, 4 parameters)",
      },
    });
    const table = document.createElement("table");
    renderDetailsTable(table, v2);
    expect(cells(table).map((r) => r.slice(0, 5))).toEqual([
      ["activity", "(model)", "–", "activity", "–"],
      ["bi/forward_lstm/lstm_cell/kernel", "bi/forward_lstm/lstm_cell", "kernel", "kernel", "–"],
      ["d/kernel#2", "d", "kernel#2", "kernel", "4"],
      ["kernel", "(model)", "kernel", "kernel", "8"],
      ["variable#2", "(model)", "variable#2", "other", "–"],
      ["kernel", "(model)", "kernel", "decoupled decay", "–"],
    ]);
  });

  it("renders a hostile description as text", () => {
    const hostile = "<img src=x onerror=alert(1)>(a=1) on x (shape 2, 2 parameters)";
    const h = parseBreakdown({
      run: "h",
      steps: [1],
      wall_times: [1],
      series: { "penalty/x/kernel": [0.5] },
      descriptions: { "penalty/x/kernel": hostile },
    });
    const table = document.createElement("table");
    renderDetailsTable(table, h);
    expect(table.querySelector("img")).toBeNull();
    expect(table.tBodies[0].rows[0].cells[5].getAttribute("title")).toBe(hostile);
  });
});
