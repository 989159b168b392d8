/**
 * Live captions in the DOM, word by word. Final tokens are appended once and
 * stay; the non-final tail of each message replaces the previous one and is
 * drawn differently (`.word.non-final`). Layout follows the docs' examples
 * (src/lib/caption-lines.ts): speaker turns in colour, a line per language
 * and for translations, an endpoint marker at each `<end>` and `<fin>`.
 */
import { type CaptionPosition, advance, captionBreak, endLine } from '../../../src/lib/caption-lines.js';
import { speakerName } from '../../../src/lib/transcript-formats.js';
import { type WireToken, isMarkerToken, isTranslationToken } from '../../../src/lib/transcript-segments.js';
import { el, languageName, speakerColour } from '../dom.js';

interface Place {
  position: CaptionPosition | null;
  turn: HTMLElement | null;
  line: HTMLElement | null;
}

export class CaptionView {
  /** Where the final captions end. */
  #committed: Place = { position: null, turn: null, line: null };
  /** Everything drawn for non-final tokens, removed before the next message is drawn. */
  #provisional: Element[] = [];

  constructor(private readonly root: HTMLElement) {}

  /** Draws one result message: its finals for good, its non-finals until the next message. */
  update(tokens: readonly WireToken[]): void {
    const follow = this.root.scrollHeight - this.root.scrollTop - this.root.clientHeight < 40;
    for (const node of this.#provisional) node.remove();
    this.#provisional = [];
    for (const token of tokens) if (token.is_final) this.#committed = this.#draw(this.#committed, token, true);
    let place = this.#committed;
    for (const token of tokens) if (!token.is_final) place = this.#draw(place, token, false);
    if (follow) this.root.scrollTop = this.root.scrollHeight;
  }

  clear(): void {
    this.root.replaceChildren();
    this.#committed = { position: null, turn: null, line: null };
    this.#provisional = [];
  }

  #draw(place: Place, token: WireToken, final: boolean): Place {
    if (isMarkerToken(token)) {
      if (place.line) {
        const marker = el(
          'span',
          { class: 'endpoint', attrs: { title: token.text === '<end>' ? 'End of utterance' : 'Finalized' } },
          '⏎',
        );
        this.#add(place.line, marker, final);
      }
      return { ...place, position: endLine(place.position) };
    }
    let { turn, line } = place;
    const kind = captionBreak(place.position, token);
    if (kind === 'turn' || turn === null) {
      turn = this.#turn(token.speaker ?? null);
      this.#add(this.root, turn, final);
    }
    if (kind !== 'none' || line === null) {
      line = this.#line(token);
      this.#add(turn, line, final);
    }
    const text = line.querySelector('.word') ? token.text : token.text.trimStart();
    this.#add(line, el('span', { class: final ? 'word final' : 'word non-final' }, text), final);
    return { position: advance(place.position, token), turn, line };
  }

  /** Appends `node`; a non-final node is remembered for removal, unless its parent already is. */
  #add(parent: Element, node: Element, final: boolean): void {
    parent.append(node);
    if (!final && !this.#provisional.some((p) => p.contains(parent))) this.#provisional.push(node);
  }

  #turn(speaker: string | null): HTMLElement {
    const turn = el('section', { class: 'turn' });
    if (speaker !== null) {
      turn.dataset.speaker = speaker;
      turn.dataset.color = speakerColour(speaker);
      turn.append(el('header', { class: 'speaker' }, speakerName(speaker)));
    }
    return turn;
  }

  #line(token: WireToken): HTMLElement {
    const translation = isTranslationToken(token);
    const line = el('p', { class: 'line', attrs: { 'data-kind': translation ? 'translation' : 'original' } });
    if (token.language) {
      line.lang = token.language;
      const label = translation ? `Translation · ${languageName(token.language)}` : languageName(token.language);
      line.append(el('span', { class: 'tag', attrs: { title: token.language } }, label));
    }
    return line;
  }
}
