/**
 * rpmvercmp() walking the two strings directly, allocation-free: a line-by-line port of rpm's
 * rpmio/rpmvercmp.c (segments of ASCII digits or letters; `~` before anything, `^` after the base).
 */
import type { Sign } from '../types.js';

const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isAlnum = (c: number) => isDigit(c) || isAlpha(c);
const TILDE = 126;
const CARET = 94;

export function rpmvercmpStr(a: string, b: string): Sign {
  if (a === b) return 0;
  const la = a.length;
  const lb = b.length;
  let one = 0;
  let two = 0;
  while (one < la || two < lb) {
    while (one < la && !isAlnum(a.charCodeAt(one)) && a.charCodeAt(one) !== TILDE && a.charCodeAt(one) !== CARET) one++;
    while (two < lb && !isAlnum(b.charCodeAt(two)) && b.charCodeAt(two) !== TILDE && b.charCodeAt(two) !== CARET) two++;
    const c1 = one < la ? a.charCodeAt(one) : 0;
    const c2 = two < lb ? b.charCodeAt(two) : 0;
    if (c1 === TILDE || c2 === TILDE) {
      if (c1 !== TILDE) return 1;
      if (c2 !== TILDE) return -1;
      one++;
      two++;
      continue;
    }
    if (c1 === CARET || c2 === CARET) {
      if (c1 === 0) return -1;
      if (c2 === 0) return 1;
      if (c1 !== CARET) return 1;
      if (c2 !== CARET) return -1;
      one++;
      two++;
      continue;
    }
    if (!(c1 && c2)) break;
    let str1 = one;
    let str2 = two;
    let isnum: boolean;
    if (isDigit(c1)) {
      while (str1 < la && isDigit(a.charCodeAt(str1))) str1++;
      while (str2 < lb && isDigit(b.charCodeAt(str2))) str2++;
      isnum = true;
    } else {
      while (str1 < la && isAlpha(a.charCodeAt(str1))) str1++;
      while (str2 < lb && isAlpha(b.charCodeAt(str2))) str2++;
      isnum = false;
    }
    if (two === str2) return isnum ? 1 : -1;
    if (isnum) {
      while (one < str1 && a.charCodeAt(one) === 48) one++;
      while (two < str2 && b.charCodeAt(two) === 48) two++;
      const onelen = str1 - one;
      const twolen = str2 - two;
      if (onelen > twolen) return 1;
      if (twolen > onelen) return -1;
    }
    // strcmp of the two segments (same length for numbers; letters bytewise)
    const n1 = str1 - one;
    const n2 = str2 - two;
    const n = n1 < n2 ? n1 : n2;
    for (let k = 0; k < n; k++) {
      const d = a.charCodeAt(one + k) - b.charCodeAt(two + k);
      if (d) return d < 0 ? -1 : 1;
    }
    if (n1 !== n2) return n1 < n2 ? -1 : 1;
    one = str1;
    two = str2;
  }
  if (one >= la && two >= lb) return 0;
  return one >= la ? -1 : 1;
}
