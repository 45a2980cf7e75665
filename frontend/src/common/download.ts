/**
 * Saving files from the page: text or a blob through a temporary object URL,
 * under a safe name made from a run's name and the part of it saved.
 */

/**
 * A file name for a run, and optionally one of its charts:
 * `exp1/train` → `regloss-exp1_train.csv`, `regloss-exp1_train-decoupled.svg`.
 */
export function fileName(run: string, extension: "csv" | "json" | "svg" | "png", part = ""): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^_+|_+$/g, "");
  return `regloss-${safe(run)}${part === "" ? "" : "-" + safe(part)}.${extension}`;
}

/** Saves `text` as a file through a temporary object URL. */
export function download(text: string, name: string, type: string): void {
  downloadBlob(new Blob([text], { type }), name);
}

/** Saves `blob` as a file through a temporary object URL. */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
