// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { connectReload, watchDarkMode } from "../../src/app/host";

const realParent = Object.getOwnPropertyDescriptor(window, "parent")!;
function setParent(parent: unknown) {
  Object.defineProperty(window, "parent", { value: parent, configurable: true, writable: true });
}
afterEach(() => {
  Object.defineProperty(window, "parent", realParent);
});

/** A parent window that keeps what the plugin posts, like TensorBoard's plugin host. */
function fakeTensorBoard() {
  const posted: { message: unknown; ports: MessagePort[] }[] = [];
  const parent = {
    document: document.implementation.createHTMLDocument("tensorboard"),
    postMessage: (message: unknown, _origin: string, ports: MessagePort[]) => posted.push({ message, ports }),
  };
  return { parent, posted };
}

/** Sends one IPC message through `port` and resolves with the reply. */
function ask(port: MessagePort, message: object): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    port.onmessage = (event: MessageEvent) => resolve(JSON.parse(String(event.data)));
    port.postMessage(JSON.stringify(message));
  });
}

describe("connectReload", () => {
  it("does nothing outside TensorBoard (no parent window)", () => {
    const post = vi.spyOn(window, "postMessage");
    connectReload(() => {});
    expect(post).not.toHaveBeenCalled();
  });

  it("bootstraps a port and reloads on DataReloaded and RunsChanged, answering every message", async () => {
    const { parent, posted } = fakeTensorBoard();
    setParent(parent);
    const onReload = vi.fn();
    connectReload(onReload);
    expect(posted).toHaveLength(1);
    expect(posted[0].message).toBe("experimental.bootstrap");
    const port = posted[0].ports[0];

    const reply = await ask(port, { type: "experimental.DataReloaded", id: 7, payload: null, error: null, isReply: false });
    expect(reply).toEqual({ type: "experimental.DataReloaded", id: 7, payload: null, error: null, isReply: true });
    expect(onReload).toHaveBeenCalledTimes(1);

    await ask(port, { type: "experimental.RunsChanged", id: 8, payload: ["a"], error: null, isReply: false });
    expect(onReload).toHaveBeenCalledTimes(2);

    const other = await ask(port, { type: "experimental.Something", id: 9, payload: null, error: null, isReply: false });
    expect(other.id).toBe(9);
    expect(onReload).toHaveBeenCalledTimes(2);
    port.close();
  });
});

describe("watchDarkMode", () => {
  it("follows the dark-mode class of TensorBoard's body", async () => {
    const { parent } = fakeTensorBoard();
    setParent(parent);
    const seen: boolean[] = [];
    watchDarkMode((dark) => seen.push(dark));
    expect(seen).toEqual([false]);
    parent.document.body.classList.add("dark-mode");
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual([false, true]);
  });

  it("standalone, falls back to light without matchMedia", () => {
    const seen: boolean[] = [];
    watchDarkMode((dark) => seen.push(dark));
    expect(seen).toEqual([false]);
  });
});
