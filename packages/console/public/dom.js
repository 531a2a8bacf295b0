// @ts-check
// Every piece of text reaches the page through textContent or a DOM property: nothing here parses HTML,
// so a name or filename like `<img src=x onerror=…>` shows as those characters.

/**
 * @typedef {{ [key: string]: string | number | boolean | undefined | ((event: Event) => void) }} Props
 */

/**
 * Creates an element. `text` becomes textContent; `on<event>` props add listeners; other props are set as
 * attributes (aria-*, data-*, class, …) with setAttribute, which never interprets markup.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {(Node | string)[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'text') node.textContent = String(value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) node.append(child);
  return node;
}

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node;
}

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
export function byIdAs(id, type) {
  const node = byId(id);
  if (!(node instanceof type)) throw new Error(`#${id} is not a ${type.name}`);
  return node;
}

/**
 * @param {number | undefined} ms
 */
export function formatMs(ms) {
  return ms === undefined ? '–' : `${Math.round(ms)} ms`;
}
