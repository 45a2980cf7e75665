import { describe, expect, it, vi } from "vitest";
import { Channel, stepChannel } from "../../src/charts/channel";

describe("Channel", () => {
  it("keeps the value and tells every listener, in the order they started listening", () => {
    const channel = new Channel<string>("a");
    const heard: string[] = [];
    channel.listen((v) => heard.push(`first ${v}`));
    channel.listen((v) => heard.push(`second ${v}`));
    expect(channel.value).toBe("a");
    channel.set("b");
    expect(channel.value).toBe("b");
    expect(heard).toEqual(["first b", "second b"]);
  });

  it("tells its listeners again when set to the same value, and stops telling one that stopped", () => {
    const step = stepChannel();
    expect(step.value).toBeNull();
    const listener = vi.fn();
    const stop = step.listen(listener);
    step.set(3);
    step.set(3);
    expect(listener.mock.calls).toEqual([[3], [3]]);
    stop();
    step.set(null);
    expect(listener).toHaveBeenCalledTimes(2);
    expect(step.value).toBeNull();
  });
});
