import { describe, expect, it } from "vitest";
import type { RunHParams } from "../../src/data/api";
import { hparamNames, hparamsFor, splitRunName } from "../../src/data/hparams";

describe("splitRunName", () => {
  it("splits the callback's train and validation suffixes off", () => {
    expect(splitRunName("runs/wd_0/train")).toEqual({ prefix: "runs/wd_0", split: "train" });
    expect(splitRunName("runs/wd_0/validation")).toEqual({ prefix: "runs/wd_0", split: "validation" });
    expect(splitRunName("train")).toEqual({ prefix: ".", split: "train" });
  });

  it("keeps other names whole, including names that only end like a split", () => {
    expect(splitRunName("solo")).toEqual({ prefix: "solo", split: null });
    expect(splitRunName("runs/pretrain")).toEqual({ prefix: "runs/pretrain", split: null });
    expect(splitRunName("runs/train/x")).toEqual({ prefix: "runs/train/x", split: null });
  });
});

describe("hparamsFor", () => {
  const logged: RunHParams[] = [
    { run: "sweep", hparams: { batch: 32 } },
    { run: "sweep/wd_0", hparams: { wd: 0 } },
    { run: "sweep/wd_1/train", hparams: { wd: 1 } },
    { run: "other/wd", hparams: { wd: 9 } },
  ];

  it("takes the experiment's own directory over a parent", () => {
    expect(hparamsFor("sweep/wd_0", ["sweep/wd_0/train", "sweep/wd_0/validation"], logged)).toEqual({ wd: 0 });
  });

  it("takes a split's directory, and falls back to a parent", () => {
    expect(hparamsFor("sweep/wd_1", ["sweep/wd_1/train"], logged)).toEqual({ wd: 1 });
    expect(hparamsFor("sweep/wd_2", ["sweep/wd_2/train"], logged)).toEqual({ batch: 32 });
  });

  it("does not take a sibling whose name merely starts the same", () => {
    expect(hparamsFor("other/wd_big", ["other/wd_big/train"], logged)).toEqual({});
    expect(hparamsFor("sweeping", ["sweeping/train"], logged)).toEqual({});
  });

  it("takes the root run for any experiment", () => {
    expect(hparamsFor("a/b", ["a/b/train"], [{ run: ".", hparams: { lr: 0.1 } }])).toEqual({ lr: 0.1 });
  });
});

describe("hparamNames", () => {
  it("lists every name once, sorted", () => {
    expect(hparamNames([{ wd: 0, opt: "sgd" }, { wd: 1, "<b>": true }, {}])).toEqual(["<b>", "opt", "wd"]);
  });
});
