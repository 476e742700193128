/**
 * A MimePart is a message or body part cut into its header and body (RFC 5322 §2.1) with
 * its Content-Type read (RFC 2045 §5.1) and, for multipart (RFC 2046 §5.1) and
 * message/rfc822 (RFC 2046 §5.2.1), its children — what FETCH BODYSTRUCTURE, ENVELOPE
 * and BODY[section] need. Lenient: any bytes give some tree, never an exception.
 */

export interface MimePart {
  /** The header block, including the empty line that ends it (if any). */
  header: Buffer;
  body: Buffer;
  /** Unfolded header fields in order: [lower-cased name, value]. */
  fields: [string, string][];
  type: string;
  subtype: string;
  params: Record<string, string>;
  parts: MimePart[];
  /** The encapsulated message of a message/rfc822 part. */
  message?: MimePart;
}

const MAX_DEPTH = 20;

/** Splits the header from the body at the first empty line. */
function splitHeader(raw: Buffer): { header: Buffer; body: Buffer } {
  if (raw[0] === 0x0d && raw[1] === 0x0a) return { header: raw.subarray(0, 2), body: raw.subarray(2) };
  if (raw[0] === 0x0a) return { header: raw.subarray(0, 1), body: raw.subarray(1) };
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { header: raw.subarray(0, crlf + 4), body: raw.subarray(crlf + 4) };
  if (lf >= 0) return { header: raw.subarray(0, lf + 2), body: raw.subarray(lf + 2) };
  return { header: raw, body: raw.subarray(raw.length) };
}

/** Unfolds header fields (RFC 5322 §2.2.3). */
export function parseFields(header: Buffer): [string, string][] {
  const out: [string, string][] = [];
  for (const line of header.toString('latin1').split(/\r?\n/)) {
    if (line === '') continue;
    if ((line[0] === ' ' || line[0] === '\t') && out.length > 0) {
      out[out.length - 1]![1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return out;
}

/** The first value of a field, or undefined. */
export function field(part: MimePart, name: string): string | undefined {
  return part.fields.find(([n]) => n === name)?.[1];
}

/** Parses `type/subtype; a=b; c="d"` (RFC 2045 §5.1) into lower-cased type and parameter names. */
export function parseContentType(value: string | undefined): { type: string; subtype: string; params: Record<string, string> } {
  const { value: main, params } = parseParams(value ?? '');
  const [type, subtype] = main.toLowerCase().split('/');
  if (!type || !subtype) return { type: 'text', subtype: 'plain', params: value ? params : { charset: 'us-ascii' } };
  return { type: type.trim(), subtype: subtype.trim(), params };
}

/** Parses `value; a=b; c="d e"`: the leading value and the parameters (names lower-cased). */
export function parseParams(text: string): { value: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  const semi = text.indexOf(';');
  const value = (semi < 0 ? text : text.slice(0, semi)).trim();
  const re = /;\s*([^=;\s]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^;\s]*)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    params[m[1]!.toLowerCase()] = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2]!;
  }
  return { value, params };
}

/** Cuts a multipart body into its parts at the boundary's delimiter lines (RFC 2046 §5.1.1). */
function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const starts: number[] = [];
  let closeAt = -1;
  for (let at = 0; at <= body.length; ) {
    const i = body.indexOf(delimiter, at);
    if (i < 0) break;
    const atLineStart = i === 0 || body[i - 1] === 0x0a;
    const after = i + delimiter.length;
    if (atLineStart) {
      if (body[after] === 0x2d && body[after + 1] === 0x2d) {
        closeAt = i;
        break;
      }
      const eol = body.indexOf(0x0a, after);
      if (eol < 0) break;
      starts.push(i);
      at = eol + 1;
      continue;
    }
    at = after;
  }
  const parts: Buffer[] = [];
  for (let k = 0; k < starts.length; k++) {
    const begin = body.indexOf(0x0a, starts[k]!) + 1;
    let end = k + 1 < starts.length ? starts[k + 1]! : closeAt >= 0 ? closeAt : body.length;
    // The line end before a delimiter belongs to the delimiter.
    if (end > begin && body[end - 1] === 0x0a) end -= body[end - 2] === 0x0d ? 2 : 1;
    parts.push(body.subarray(begin, Math.max(begin, end)));
  }
  return parts;
}

/** Parses a message (or a part) into a MimePart tree. */
export function parseMime(raw: Buffer, depth = 0, defaultType = 'text/plain'): MimePart {
  const { header, body } = splitHeader(raw);
  const fields = parseFields(header);
  const ctField = fields.find(([n]) => n === 'content-type')?.[1];
  const ct = ctField ? parseContentType(ctField) : parseContentType(defaultType === 'text/plain' ? undefined : defaultType);
  if (!ctField && defaultType !== 'text/plain') ct.params = {};
  const part: MimePart = { header, body, fields, type: ct.type, subtype: ct.subtype, params: ct.params, parts: [] };
  if (depth >= MAX_DEPTH) return part;
  if (part.type === 'multipart' && part.params['boundary']) {
    const childDefault = part.subtype === 'digest' ? 'message/rfc822' : 'text/plain';
    part.parts = splitMultipart(body, part.params['boundary']).map((b) => parseMime(b, depth + 1, childDefault));
  } else if (part.type === 'message' && part.subtype === 'rfc822') {
    part.message = parseMime(body, depth + 1);
  }
  return part;
}
