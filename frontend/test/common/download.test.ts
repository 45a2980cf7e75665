import { describe, expect, it } from "vitest";
import { fileName } from "../../src/common/download";

describe("fileName", () => {
  it("makes safe file names", () => {
    expect(fileName("exp1/train", "csv")).toBe("regloss-exp1_train.csv");
    expect(fileName("<img src=x>", "json")).toBe("regloss-img_src_x.json");
    expect(fileName("exp1/train", "svg", "decoupled")).toBe("regloss-exp1_train-decoupled.svg");
  });
});
