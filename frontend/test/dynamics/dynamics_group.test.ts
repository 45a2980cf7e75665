import { describe, expect, it } from "vitest";
import { combine, compositionKey, dynamicsGroups, weightColumns, weightKeys, type Quantities } from "../../src/dynamics/dynamics_group";
import { DYNAMICS_QUANTITIES } from "../../src/data/tags";
import { BIAS, dynamicsBreakdown, KERNEL, weight } from "./dynamics_fixture";


describe("weightKeys", () => {
  it("lists each weight once, numbers in names compared as numbers", () => {
    const b = dynamicsBreakdown({
      ...weight("block_10/kernel", KERNEL),
      ...weight("block_2/kernel", KERNEL),
      "decay_ratio/block_1/kernel": [1, 1],
    });
    expect(weightKeys(b)).toEqual(["block_1/kernel", "block_2/kernel", "block_10/kernel"]);
  });
});

describe("combine", () => {
  const b = dynamicsBreakdown({ ...weight("a/kernel", KERNEL), ...weight("a/bias", BIAS) });
  const g = combine([weightColumns(b, "a/kernel"), weightColumns(b, "a/bias")], 2);

  it("combines norms as root-sum-of-squares", () => {
    expect([...g.weight_norm]).toEqual([5, 5]);
    expect([...g.update_norm]).toEqual([Math.sqrt(1.25), Math.sqrt(1.25)]);
    expect([...g.penalty_grad_norm]).toEqual([5, 5]);
    expect([...g.loss_grad_norm]).toEqual([5, 5]);
  });

  it("takes the decay ratio of the combined gradient norms, not the mean of the ratios", () => {
    // The members' ratios are 0.75 and 4/3 (mean 1.0417); the group's gradients are equal.
    expect([...g.decay_ratio]).toEqual([1, 1]);
  });

  it("weights angles by the squared weight norms, and the equilibrium over the weights that have one", () => {
    const angle = Math.sqrt((9 * 0.25 + 16 * 0.0625) / 25);
    expect([...g.angular_update]).toEqual([angle, angle]);
    expect([...g.angular_equilibrium]).toEqual([0.5, 0.5]);
  });

  it("makes a gap of the group where a member has none", () => {
    const gappy = dynamicsBreakdown({ ...weight("a/kernel", KERNEL), ...weight("a/bias", BIAS), "weight_norm/a/bias": [4, null] });
    const c = combine([weightColumns(gappy, "a/kernel"), weightColumns(gappy, "a/bias")], 2);
    expect([...c.weight_norm]).toEqual([5, NaN]);
    expect([...c.angular_update]).toEqual([Math.sqrt((9 * 0.25 + 16 * 0.0625) / 25), NaN]);
  });

  it("has no equilibrium when no member has one", () => {
    const b2 = dynamicsBreakdown({ ...weight("a/bias", BIAS), ...weight("b/bias", BIAS) });
    const c = combine([weightColumns(b2, "a/bias"), weightColumns(b2, "b/bias")], 2);
    expect([...c.angular_equilibrium]).toEqual([NaN, NaN]);
  });

  it("returns a single weight's own series, as logged", () => {
    const one: Quantities = weightColumns(b, "a/kernel");
    expect(combine([one], 2)).toBe(one);
  });
});

describe("dynamicsGroups", () => {
  const b = dynamicsBreakdown({
    ...weight("conv2_block1_1_conv/kernel", KERNEL),
    ...weight("conv2_block2_1_conv/kernel", BIAS),
    ...weight("conv3_block1_1_conv/kernel", { ...KERNEL, p: 40 }),
    ...weight("conv3_block1_1_conv/bias", BIAS),
    ...weight("kernel", { ...KERNEL, p: 8 }),
  });

  it("keeps one group per weight by term, each with every quantity", () => {
    const groups = dynamicsGroups(b, "term", 1, 10);
    expect(groups.map((g) => g.key)).toEqual([
      "conv2_block1_1_conv/kernel",
      "conv2_block2_1_conv/kernel",
      "conv3_block1_1_conv/bias",
      "conv3_block1_1_conv/kernel",
      "kernel",
    ]);
    expect(Object.keys(groups[0].values)).toEqual([...DYNAMICS_QUANTITIES]);
  });

  it("groups by block at a depth with the composition view's paths", () => {
    const groups = dynamicsGroups(b, "block", 1, 10);
    expect(groups.map((g) => [g.key, g.label, g.members])).toEqual([
      ["block:", "(model)", ["kernel"]],
      ["block:conv2", "conv2", ["conv2_block1_1_conv/kernel", "conv2_block2_1_conv/kernel"]],
      ["block:conv3", "conv3", ["conv3_block1_1_conv/bias", "conv3_block1_1_conv/kernel"]],
    ]);
    expect([...groups[1].values.weight_norm]).toEqual([5, 5]);
    expect(dynamicsGroups(b, "block", 2, 10).map((g) => g.label)).toEqual(["(model)", "conv2/block1", "conv2/block2", "conv3/block1"]);
  });

  it("groups by layer and by kind", () => {
    expect(dynamicsGroups(b, "layer", 1, 10).map((g) => g.label)).toEqual([
      "(model)",
      "conv2_block1_1_conv",
      "conv2_block2_1_conv",
      "conv3_block1_1_conv",
    ]);
    expect(dynamicsGroups(b, "kind", 1, 10).map((g) => [g.key, g.members.length])).toEqual([
      ["kind:bias", 1],
      ["kind:kernel", 4],
    ]);
  });

  it("keeps the K weights of largest mean decay ratio by top-K and merges the rest last", () => {
    const groups = dynamicsGroups(b, "topk", 1, 2);
    expect(groups.map((g) => g.label)).toEqual(["conv3_block1_1_conv/kernel", "kernel", "other weights"]);
    expect(groups[2].members).toHaveLength(3);
  });
});

describe("compositionKey", () => {
  it("names a group as the composition view does, for its colour", () => {
    expect(compositionKey("block:conv2")).toBe("block:conv2");
    expect(compositionKey("layer:")).toBe("layer:");
    expect(compositionKey("kind:bias")).toBe("kind:bias");
    expect(compositionKey("other")).toBe("other");
    expect(compositionKey("conv2_block1_1_conv/kernel")).toBe("penalty/conv2_block1_1_conv/kernel");
  });
});
