/**
 * DOM building without markup: every string becomes a text node or an attribute value, never HTML.
 *
 * There is deliberately no way to set `innerHTML`, `outerHTML` or an `on…` attribute through these
 * helpers (test/renderer/static.test.ts checks that no renderer code does it either), so data from
 * the engine, the credentials file or the user shows exactly as typed.
 */

/** What may appear as a child: nodes, text (always as text), or nothing. */
export type Child = Node | string | number | null | undefined | false;

type Listeners = { readonly [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };

/** Options of {@link el}. */
export interface ElementOptions {
  readonly id?: string;
  readonly className?: string;
  /** Attributes, set with `setAttribute`; `false`/`undefined` leave one out, `true` sets it empty. */
  readonly attrs?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly on?: Listeners;
}

/** Attributes that would let a value run as code or load something; never set through {@link el}. */
const FORBIDDEN_ATTRIBUTE = /^(on|srcdoc$|formaction$)/i;

/** Creates an element with attributes, listeners and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, options: ElementOptions = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.id !== undefined) element.id = options.id;
  if (options.className !== undefined) element.className = options.className;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    if (FORBIDDEN_ATTRIBUTE.test(name)) throw new Error(`el(): the attribute ${name} is not allowed`);
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [type, listener] of Object.entries(options.on ?? {})) {
    element.addEventListener(type, listener as EventListener);
  }
  append(element, ...children);
  return element;
}

/** Appends children; strings and numbers as text nodes. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A process-unique id for label/aria wiring. */
let counter = 0;
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}
