/**
 * The few DOM builders every view shares: an element with a class and text
 * (always `textContent`, so names stay text), and the small download button.
 */

/** A new `tag` element of class `className`, its text `text` if given, appended to `parent` if given. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string,
  parent?: HTMLElement,
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  el.className = className;
  if (text !== undefined) el.textContent = text;
  parent?.appendChild(el);
  return el;
}

/** A download button (`PNG`, `CSV`…): `title` says what it saves, as a tooltip and to screen readers. */
export function downloadButton(text: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = element("button", "download", text);
  b.type = "button";
  b.title = title;
  b.setAttribute("aria-label", title);
  b.addEventListener("click", onClick);
  return b;
}
