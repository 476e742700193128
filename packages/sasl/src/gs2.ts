/**
 * The GS2 header shared by OAUTHBEARER (RFC 7628 §3.1) and SCRAM (RFC 5802 §7), and the
 * saslname escaping both use (RFC 5801 §4):
 *
 *   gs2-header   = gs2-cbind-flag "," [ authzid ] ","
 *   gs2-cbind-flag = ("p=" cb-name) / "n" / "y"
 *   authzid      = "a=" saslname
 *   saslname     = 1*(UTF8-char-safe / "=2C" / "=3D")      ; "," and "=" escaped
 *
 * Channel binding (`p=`) is not offered by this library; a server sees it as unsupported.
 */

/** Escapes `,` and `=` for a saslname. */
export function encodeSaslname(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** Unescapes a saslname; null when it holds a bare `=` or a `,`, or is empty. */
export function decodeSaslname(text: string): string | null {
  if (text === '' || text.includes(',')) return null;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '=') {
      out += c;
      continue;
    }
    const esc = text.slice(i, i + 3);
    if (esc === '=2C') out += ',';
    else if (esc === '=3D') out += '=';
    else return null;
    i += 2;
  }
  return out;
}

/** Builds a gs2-header without channel binding: `n,,` or `n,a=<authzid>,`. */
export function gs2Header(authzid: string | undefined): string {
  return `n,${authzid === undefined || authzid === '' ? '' : `a=${encodeSaslname(authzid)}`},`;
}

/** A parsed gs2-header; `rest` is what follows it. */
export interface Gs2Parsed {
  cbindFlag: 'n' | 'y' | 'p';
  authzid?: string;
  header: string;
  rest: string;
}

/** Parses a gs2-header from the start of `text`; null when malformed. */
export function parseGs2Header(text: string): Gs2Parsed | null {
  const first = text.indexOf(',');
  if (first < 0) return null;
  const flag = text.slice(0, first);
  let cbindFlag: Gs2Parsed['cbindFlag'];
  if (flag === 'n' || flag === 'y') cbindFlag = flag;
  else if (flag.startsWith('p=') && flag.length > 2) cbindFlag = 'p';
  else return null;
  const second = text.indexOf(',', first + 1);
  if (second < 0) return null;
  const authzField = text.slice(first + 1, second);
  const parsed: Gs2Parsed = { cbindFlag, header: text.slice(0, second + 1), rest: text.slice(second + 1) };
  if (authzField !== '') {
    if (!authzField.startsWith('a=')) return null;
    const authzid = decodeSaslname(authzField.slice(2));
    if (authzid === null) return null;
    parsed.authzid = authzid;
  }
  return parsed;
}
