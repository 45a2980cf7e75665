/**
 * Entry point TensorBoard calls: its plugin_entry.html imports this module in
 * the plugin's iframe and calls `render()`.
 */
import { App } from "./app";
import { connectReload, watchDarkMode } from "./host";
import { CSS } from "./styles";

function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function render(): void {
  const style = document.createElement("style");
  style.textContent = CSS;
  document.head.appendChild(style);
  const app = new App(localStorageOrNull());
  document.body.appendChild(app.el);
  watchDarkMode((dark) => app.setDark(dark));
  connectReload(() => void app.reload());
  void app.reload();
}
