/**
 * The server's reader of IMAP command arguments (RFC 9051 §9): atoms (with a
 * `[...]` section and `<...>` partial kept inside, as in BODY[HEADER.FIELDS (A B)]<0.10>),
 * quoted strings, literals (already read by the CommandReader and handed over in
 * order), parenthesized lists and NIL. Anything else is a syntax error with a reason.
 */

export type Token =
  | { t: 'atom'; v: string }
  | { t: 'string'; v: Buffer }
  | { t: 'list'; v: Token[] };

export class ImapSyntaxError extends Error {}

const MAX_DEPTH = 32;

/** Tokenizes a command's text (its lines joined) with its literals in order. */
export function tokenize(text: string, literals: Buffer[]): Token[] {
  let at = 0;
  let lit = 0;
  const read = (depth: number, closing: boolean): Token[] => {
    if (depth > MAX_DEPTH) throw new ImapSyntaxError('lists nested too deeply');
    const out: Token[] = [];
    for (;;) {
      while (text[at] === ' ') at++;
      if (at >= text.length) {
        if (closing) throw new ImapSyntaxError('missing )');
        return out;
      }
      const c = text[at]!;
      if (c === ')') {
        if (!closing) throw new ImapSyntaxError('unexpected )');
        at++;
        return out;
      }
      if (c === '(') {
        at++;
        out.push({ t: 'list', v: read(depth + 1, true) });
      } else if (c === '"') {
        let s = '';
        at++;
        for (;;) {
          const ch = text[at++];
          if (ch === undefined) throw new ImapSyntaxError('unterminated quoted string');
          if (ch === '"') break;
          if (ch === '\\') {
            const next = text[at++];
            if (next !== '\\' && next !== '"') throw new ImapSyntaxError('bad escape in quoted string');
            s += next;
          } else s += ch;
        }
        out.push({ t: 'string', v: Buffer.from(s, 'latin1') });
      } else if (c === '{' || (c === '~' && text[at + 1] === '{')) {
        const m = /^~?\{(\d+)\+?\}/.exec(text.slice(at));
        if (!m || lit >= literals.length) throw new ImapSyntaxError('bad literal');
        at += m[0].length;
        out.push({ t: 'string', v: literals[lit++]! });
      } else {
        const start = at;
        let bracket = 0;
        while (at < text.length) {
          const ch = text[at]!;
          if (ch === '[') bracket++;
          else if (ch === ']') bracket = Math.max(0, bracket - 1);
          else if (bracket === 0 && (ch === ' ' || ch === '(' || ch === ')')) break;
          const code = ch.charCodeAt(0);
          if (code < 0x20 || code > 0x7e || (bracket === 0 && (ch === '"' || ch === '{'))) {
            throw new ImapSyntaxError(`unexpected ${JSON.stringify(ch)} in atom`);
          }
          at++;
        }
        if (bracket > 0) throw new ImapSyntaxError('missing ]');
        out.push({ t: 'atom', v: text.slice(start, at) });
      }
    }
  };
  return read(0, false);
}

/** The text of an atom or string token (astring), or undefined. */
export function astring(tok: Token | undefined): string | undefined {
  if (!tok) return undefined;
  if (tok.t === 'atom') return tok.v;
  if (tok.t === 'string') return tok.v.toString('utf8');
  return undefined;
}

/** The upper-cased text of an atom token, or undefined. */
export function atom(tok: Token | undefined): string | undefined {
  return tok?.t === 'atom' ? tok.v.toUpperCase() : undefined;
}
