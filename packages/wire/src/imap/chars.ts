/**
 * The IMAP character classes (RFC 9051 §9 formal syntax) as one 256-entry table, so the
 * reader tests a byte with one array load and a mask instead of a chain of comparisons.
 *
 *   ATOM-CHAR       = <any CHAR except atom-specials>
 *   atom-specials   = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
 *   list-wildcards  = "%" / "*"
 *   quoted-specials = DQUOTE / "\"
 *   resp-specials   = "]"
 *   ASTRING-CHAR    = ATOM-CHAR / resp-specials
 *   tag             = 1*<any ASTRING-CHAR except "+">
 *
 * Bytes 0x80-0xFF are accepted as ATOM-CHAR: servers put UTF-8 in keywords and mailbox
 * names (RFC 6855 allows it in strings), and refusing them would gain nothing.
 */

export const ATOM_CHAR = 1;
export const ASTRING_CHAR = 2;
export const TAG_CHAR = 4;
export const DIGIT = 8;
/** A byte that may appear in a list-mailbox (ASTRING-CHAR plus list-wildcards). */
export const LIST_CHAR = 16;
/** A byte of a quoted string that needs no escape: TEXT-CHAR minus quoted-specials. */
export const QUOTED_PLAIN = 32;

export const CHAR_CLASS: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) {
    const ctl = c < 0x20 || c === 0x7f;
    const atomSpecial = ctl || c === 0x20 || c === 0x28 || c === 0x29 || c === 0x7b || c === 0x25 || c === 0x2a || c === 0x22 || c === 0x5c || c === 0x5d;
    let m = 0;
    if (!atomSpecial) m |= ATOM_CHAR | ASTRING_CHAR | LIST_CHAR;
    if (c === 0x5d) m |= ASTRING_CHAR | LIST_CHAR;
    if (c === 0x25 || c === 0x2a) m |= LIST_CHAR;
    if (m & ASTRING_CHAR && c !== 0x2b) m |= TAG_CHAR;
    if (c >= 0x30 && c <= 0x39) m |= DIGIT;
    if (!(c === 0x0d || c === 0x0a || c === 0x00 || c === 0x22 || c === 0x5c)) m |= QUOTED_PLAIN;
    t[c] = m;
  }
  return t;
})();

export const SP = 0x20;
export const CR = 0x0d;
export const LF = 0x0a;
export const DQUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const LPAREN = 0x28;
export const RPAREN = 0x29;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const TILDE = 0x7e;
export const PLUS = 0x2b;
export const STAR = 0x2a;
