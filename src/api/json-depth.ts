/**
 * The nesting bound of every JSON text Hark accepts (REST bodies, WebSocket
 * start and control messages). The deepest documented request is four levels
 * (`{context: {general: [{key}]}}`); 32 leaves room for any client's
 * extensions while keeping every later recursive walk (validation,
 * serialisation, storage) far from the stack limit.
 */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether `text` opens more than `maxDepth` arrays or objects inside one
 * another. One pass, no recursion, so it is safe to run before `JSON.parse`
 * on any input: 1 MB of `[` stops at the 33rd character. Brackets inside
 * strings do not count; malformed JSON is left for the parser to reject.
 *
 * @example exceedsJsonDepth('[[1]]', 1) // true
 * @example exceedsJsonDepth('{"a":"[[["}', 1) // false
 */
export function exceedsJsonDepth(text: string, maxDepth = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}
