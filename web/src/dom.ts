/**
 * Small DOM helpers. Text always goes in through `textContent`, never as
 * HTML: transcripts and file names come from users.
 */

type Child = Node | string | null | false;

/**
 * Creates an element with classes, attributes and children.
 *
 * @example el('button', { class: 'time', attrs: { type: 'button' } }, '0:12')
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { class?: string; attrs?: Record<string, string> } = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/**
 * The element of the page with this id, checked to be of the expected kind.
 *
 * @throws Error when the page has no such element (a mismatch between index.html and the code).
 */
export function byId<T extends HTMLElement>(id: string, kind: { new (): T; prototype: T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`index.html has no ${kind.name} #${id}`);
  return element;
}

/** Shows `message` in an alert element, or hides it when null. */
export function showMessage(element: HTMLElement, message: string | null): void {
  element.textContent = message ?? '';
  element.hidden = message === null;
}

/** Replaces the options of a select, keeping the current choice when it is still offered. */
export function setOptions(select: HTMLSelectElement, options: readonly { value: string; label: string }[]): void {
  const previous = select.value;
  select.replaceChildren(...options.map((o) => el('option', { attrs: { value: o.value } }, o.label)));
  if (options.some((o) => o.value === previous)) select.value = previous;
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });

/** "Spanish" for "es"; the code itself when the browser does not know it. */
export function languageName(code: string): string {
  try {
    return languageNames.of(code) ?? code;
  } catch {
    return code;
  }
}

/** Speaker colours in index.css (`[data-color="0"]` … `"7"`). */
const SPEAKER_COLOURS = 8;

/** The colour slot of a speaker label ("1" → "0"), the same in live captions and transcripts. */
export function speakerColour(speaker: string): string {
  return String((Math.max(1, Number.parseInt(speaker, 10) || 1) - 1) % SPEAKER_COLOURS);
}
