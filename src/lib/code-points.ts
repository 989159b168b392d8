/**
 * Length of a string in Unicode code points, as the contract counts
 * characters (pydantic's `max_length`): an emoji is one character, not the
 * two UTF-16 units of `String.prototype.length`. Lone surrogates count one each.
 *
 * @example codePointLength('😀😀') // 2
 */
export function codePointLength(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
