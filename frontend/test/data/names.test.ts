import { describe, expect, it } from "vitest";
import { displayName, kindMarker } from "../../src/data/names";

describe("displayName", () => {
  it("drops the prefixes every key of a chart shares", () => {
    expect(displayName("data")).toBe("data loss");
    expect(displayName("penalty/conv/kernel")).toBe("conv/kernel");
    expect(displayName("decoupled/conv/kernel")).toBe("conv/kernel");
    expect(displayName("layer:block1/conv")).toBe("block1/conv");
    expect(displayName("layer:")).toBe("(model)");
    expect(displayName("decoupled:layer:dense")).toBe("dense");
    expect(displayName("kind:kernel")).toBe("kernel");
    expect(displayName("decoupled:kind:kernel")).toBe("kernel");
    expect(displayName("other")).toBe("other terms");
    expect(displayName("decoupled:other")).toBe("other terms");
    expect(displayName("penalty/kernel")).toBe("kernel");
  });
});

describe("kindMarker", () => {
  it("marks single terms by kind and anything decoupled as decoupled", () => {
    expect(kindMarker("penalty/conv/kernel")).toBe("kernel");
    expect(kindMarker("penalty/conv/depthwise_kernel#2")).toBe("kernel");
    expect(kindMarker("penalty/conv/bias")).toBe("bias");
    expect(kindMarker("penalty/dense/activity")).toBe("activity");
    expect(kindMarker("penalty/model/noise/add_loss")).toBe("add_loss");
    expect(kindMarker("penalty/unattributed/0")).toBeNull();
    expect(kindMarker("decoupled/dense/kernel")).toBe("decoupled");
    expect(kindMarker("decoupled:kind:kernel")).toBe("decoupled");
    expect(kindMarker("data")).toBeNull();
    expect(kindMarker("layer:conv")).toBeNull();
    expect(kindMarker("kind:kernel")).toBeNull();
    expect(kindMarker("other")).toBeNull();
  });
});
