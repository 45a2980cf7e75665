import { describe, expect, it } from "vitest";
import { formatShare, formatValue } from "../src/format";

describe("format", () => {
  it("formats values and shares", () => {
    expect(formatValue(0.123456)).toBe("0.1235");
    expect(formatValue(null)).toBe("–");
    expect(formatValue(NaN)).toBe("NaN");
    expect(formatShare(0.25)).toBe("25.0%");
    expect(formatShare(NaN)).toBe("–");
  });
});
