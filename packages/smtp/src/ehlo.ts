/**
 * The EHLO reply (RFC 5321 §4.1.1.1): the first line greets, each later line is one
 * service extension.
 *
 *   ehlo-line    = ehlo-keyword *( SP ehlo-param )
 *   ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
 *   ehlo-param   = 1*(%d33-126)
 *
 * Keywords are compared exactly after upper-casing: `X-AUTH PLAIN` is the keyword X-AUTH,
 * not AUTH. The pre-standard `AUTH=PLAIN LOGIN` line that old Exchange and Sendmail still
 * send (before RFC 4954 fixed the syntax) counts as AUTH with those mechanisms, since
 * "=" cannot occur in a keyword. A line that is not a keyword is ignored rather than
 * fatal: it names no extension we could use.
 */

export interface EhloCapabilities {
  /** Keywords, upper-cased: `PIPELINING`, `SIZE`, `AUTH`, ... */
  keywords: Set<string>;
  /** Parameters per keyword, as sent (SIZE's limit, AUTH's mechanisms). */
  params: Map<string, string[]>;
  /** SASL mechanisms from AUTH (and the legacy AUTH= line), upper-cased. */
  authMechanisms: Set<string>;
}

const KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

/** Parses the text lines of a 250 reply to EHLO (the first line is the greeting). */
export function parseEhlo(lines: readonly string[]): EhloCapabilities {
  const keywords = new Set<string>();
  const params = new Map<string, string[]>();
  const authMechanisms = new Set<string>();
  for (const line of lines.slice(1)) {
    const words = line.split(' ').filter((w) => w !== '');
    const head = words[0];
    if (head === undefined) continue;
    if (/^AUTH=/i.test(head)) {
      for (const m of [head.slice(5), ...words.slice(1)]) if (m !== '') authMechanisms.add(m.toUpperCase());
      continue;
    }
    if (!KEYWORD.test(head)) continue;
    const keyword = head.toUpperCase();
    keywords.add(keyword);
    params.set(keyword, words.slice(1));
    if (keyword === 'AUTH') for (const m of words.slice(1)) authMechanisms.add(m.toUpperCase());
  }
  if (authMechanisms.size > 0) keywords.add('AUTH');
  return { keywords, params, authMechanisms };
}

/** The SIZE limit the server announced (RFC 1870), or undefined (none, or 0 = no fixed limit). */
export function sizeLimit(caps: EhloCapabilities): number | undefined {
  const value = caps.params.get('SIZE')?.[0];
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
}
