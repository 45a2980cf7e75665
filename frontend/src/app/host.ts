/**
 * The link to TensorBoard around the plugin iframe.
 *
 * Reload: TensorBoard's iframe host (tensorboard/components/experimental/plugin_lib)
 * answers a `experimental.bootstrap` message carrying a MessagePort, then
 * broadcasts `experimental.DataReloaded` after every reload (button or
 * auto-reload) and `experimental.RunsChanged` when runs appear. Messages are
 * JSON strings `{type, id, payload, error, isReply}` and expect a reply.
 *
 * Dark mode: TensorBoard toggles the class `dark-mode` on its own body; the
 * iframe is same-origin, so we watch that class. Standalone (no TensorBoard
 * parent), the browser's color scheme decides.
 */

const RELOAD_MESSAGES = new Set(["experimental.DataReloaded", "experimental.RunsChanged"]);

interface Message {
  type: string;
  id: number;
  payload: unknown;
  error: unknown;
  isReply: boolean;
}

/** Calls `onReload` whenever TensorBoard reloads its data. */
export function connectReload(onReload: () => void): void {
  if (window.parent === window) return;
  const channel = new MessageChannel();
  const port = channel.port1;
  port.addEventListener("message", (event: MessageEvent) => {
    let message: Message;
    try {
      message = JSON.parse(String(event.data)) as Message;
    } catch {
      return;
    }
    if (message.isReply) return;
    if (RELOAD_MESSAGES.has(message.type)) onReload();
    const reply: Message = { type: message.type, id: message.id, payload: null, error: null, isReply: true };
    port.postMessage(JSON.stringify(reply));
  });
  port.start();
  window.parent.postMessage("experimental.bootstrap", "*", [channel.port2]);
}

function parentBody(): HTMLElement | null {
  try {
    return window.parent !== window ? window.parent.document.body : null;
  } catch {
    // A cross-origin parent is not TensorBoard's page.
    return null;
  }
}

/** Calls `onChange(dark)` now and whenever TensorBoard's (or the browser's) theme changes. */
export function watchDarkMode(onChange: (dark: boolean) => void): void {
  const body = parentBody();
  if (body) {
    const check = () => onChange(body.classList.contains("dark-mode"));
    new MutationObserver(check).observe(body, { attributes: true, attributeFilter: ["class"] });
    check();
    return;
  }
  const query = window.matchMedia?.("(prefers-color-scheme: dark)");
  if (!query) return onChange(false);
  query.addEventListener("change", () => onChange(query.matches));
  onChange(query.matches);
}
