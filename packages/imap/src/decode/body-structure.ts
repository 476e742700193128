/**
 * BODY and BODYSTRUCTURE (RFC 9051 §7.5.2 and §9; RFC 3501 §7.4.2).
 *
 *   body            = "(" (body-type-1part / body-type-mpart) ")"
 *   body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
 *   body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
 *   body-type-msg   = media-message SP body-fields SP envelope SP body SP body-fld-lines
 *   body-type-text  = media-text SP body-fields SP body-fld-lines
 *   body-fields     = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
 *   body-ext-1part  = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
 *   body-ext-mpart  = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
 *   body-fld-dsp    = "(" string SP body-fld-param ")" / nil
 *   body-fld-lang   = nstring / "(" string *(SP string) ")"
 *   body-extension  = nstring / number / number64 / "(" body-extension *(SP body-extension) ")"
 *
 * Quirks: `bareStringDisposition`, `multipartDescription`, `nilInBodyFields` (Exchange),
 * `partlessMultipart`, `messageWithoutEnvelope` (Gmail), `floatSizes` (mail.ru),
 * `negativeSizes` (SmarterMail); see ../quirks.ts.
 */
import { type ImapReader, LPAREN } from '@mailwire/wire';
import type { BodyStructure } from '../types.js';
import type { ImapQuirks } from '../quirks.js';
import { readEnvelope } from './envelope.js';

/** body-fld-param = "(" string SP string *(SP string SP string) ")" / nil; keys lower-cased. */
export function readBodyParams(r: ImapReader, quirks: ImapQuirks): Record<string, string> {
  const params: Record<string, string> = {};
  if (r.nil()) return params;
  r.expectListBegin();
  if (quirks.nilInBodyFields && r.listEnd()) return params; // "()"
  for (;;) {
    const key = r.expectString().toLowerCase();
    r.expectSP();
    const value = quirks.nilInBodyFields ? r.nstring() : r.string();
    if (value === undefined) throw r.error('a parameter value');
    params[key] = value ?? '';
    if (r.listEnd()) return params;
    r.expectSP();
  }
}

/**
 * A size or line count: number, or what the quirks allow (NIL, a float, a negative).
 * Undefined where the server sent no usable value.
 */
export function readSize(r: ImapReader, quirks: ImapQuirks): number | undefined {
  const start = r.pos;
  const n = r.number();
  const c = r.peek();
  if (n !== undefined && c !== 0x2e && c !== 0x65 && c !== 0x45) return n;
  if (quirks.nilInBodyFields && n === undefined && r.nil()) return undefined;
  const b = r.bytes;
  let i = start;
  while (i < r.end && ((b[i] >= 0x30 && b[i] <= 0x39) || b[i] === 0x2e || b[i] === 0x2b || b[i] === 0x2d || (b[i] | 0x20) === 0x65)) i++;
  const v = Number(r.raw(start, i));
  if (i > start && Number.isFinite(v)) {
    if (v < 0 && quirks.negativeSizes) {
      r.pos = i;
      return undefined;
    }
    if (v >= 0 && quirks.floatSizes && v <= Number.MAX_SAFE_INTEGER) {
      r.pos = i;
      return Math.round(v);
    }
  }
  r.pos = start;
  throw r.error('a number');
}

/** A string field of body-fields that may be NIL: body-fld-id, body-fld-desc, body-fld-md5. */
function nstringField(r: ImapReader): string | null {
  return r.expectNString();
}

/** body-fld-dsp, with Exchange's bare string (single parts only) where the quirk allows it. */
function readDisposition(r: ImapReader, quirks: ImapQuirks, multipart: boolean): BodyStructure['disposition'] {
  if (r.nil()) return null;
  if (r.peek() !== LPAREN) {
    const s = quirks.bareStringDisposition && !multipart ? r.string() : undefined;
    if (s === undefined) throw r.error('body-fld-dsp');
    return { type: s.toLowerCase(), parameters: {} };
  }
  r.expectListBegin();
  const type = r.expectString().toLowerCase();
  r.expectSP();
  const parameters = readBodyParams(r, quirks);
  r.expectListEnd();
  return { type, parameters };
}

/** body-fld-lang */
function readLanguage(r: ImapReader): string[] | null {
  if (r.listBegin()) {
    const langs: string[] = [];
    do langs.push(r.expectString());
    while (r.sp());
    r.expectListEnd();
    return langs;
  }
  const s = r.expectNString();
  return s === null ? null : [s];
}

/** body-extension, kept as generic values (string, null, number, nested arrays). */
export function readBodyExtension(r: ImapReader): unknown {
  if (r.listBegin()) {
    const items: unknown[] = [];
    do items.push(readBodyExtension(r));
    while (r.sp());
    r.expectListEnd();
    return items;
  }
  const n = r.number();
  if (n !== undefined) return n;
  return r.expectNString();
}

/**
 * The extension fields after md5 (1part) or params (mpart): dsp, lang, loc, extensions.
 * In a multipart, Exchange's Content-Description may stand where dsp belongs.
 */
function readExtTail(r: ImapReader, bs: BodyStructure, quirks: ImapQuirks, multipart: boolean): void {
  if (!r.sp()) return;
  if (multipart && quirks.multipartDescription && isStringStart(r.peek())) bs.description = r.expectString();
  else bs.disposition = readDisposition(r, quirks, multipart);
  if (!r.sp()) return;
  bs.language = readLanguage(r);
  if (!r.sp()) return;
  bs.location = r.expectNString();
  const ext: unknown[] = [];
  while (r.sp()) ext.push(readBodyExtension(r));
  if (ext.length > 0) bs.extension = ext;
}

/** A media type or subtype string, lower-cased; NIL read as '' where the quirk allows. */
function mediaString(r: ImapReader, quirks: ImapQuirks): string {
  if (quirks.nilInBodyFields && r.nil()) return '';
  return r.expectString().toLowerCase();
}

/** media-subtype [SP body-ext-mpart] of a multipart, after its parts. */
function readMultipartRest(r: ImapReader, quirks: ImapQuirks, parts: BodyStructure[]): BodyStructure {
  const bs: BodyStructure = { type: 'multipart', subtype: mediaString(r, quirks), parameters: {}, parts };
  if (r.sp()) {
    bs.parameters = readBodyParams(r, quirks);
    readExtTail(r, bs, quirks, true);
  }
  return bs;
}

/** body = "(" (body-type-1part / body-type-mpart) ")" */
export function readBody(r: ImapReader, quirks: ImapQuirks): BodyStructure {
  r.expectListBegin();
  let bs: BodyStructure;
  if (r.peek() === LPAREN) {
    const parts: BodyStructure[] = [];
    do parts.push(readBody(r, quirks));
    while (r.peek() === LPAREN || (r.peek() === 0x20 && r.bytes[r.pos + 1] === LPAREN && r.sp()));
    r.expectSP();
    bs = readMultipartRest(r, quirks, parts);
  } else if (quirks.partlessMultipart && isPartlessMultipart(r)) {
    bs = readMultipartRest(r, quirks, []);
  } else {
    const type = mediaString(r, quirks);
    r.expectSP();
    const subtype = mediaString(r, quirks);
    r.expectSP();
    bs = { type, subtype, parameters: readBodyParams(r, quirks) };
    r.expectSP();
    bs.id = nstringField(r);
    r.expectSP();
    bs.description = nstringField(r);
    r.expectSP();
    const enc = quirks.nilInBodyFields ? r.nstring() : r.string();
    if (enc === undefined) throw r.error('body-fld-enc');
    if (enc !== null) bs.encoding = enc;
    // A part with no size at all (Exchange's "(NIL "alternative" (...) NIL NIL NIL)"): stop here.
    if (quirks.nilInBodyFields && r.peek() === 0x29) {
      r.expectListEnd();
      return bs;
    }
    r.expectSP();
    const size = readSize(r, quirks);
    if (size !== undefined) bs.size = size;
    const message = type === 'message' && (subtype === 'rfc822' || subtype === 'global');
    const envelopeFollows = r.peek() === 0x20 && r.bytes[r.pos + 1] === LPAREN;
    // Without an envelope, Gmail's message/rfc822 is read as a body-type-basic.
    if (message && (envelopeFollows || !quirks.messageWithoutEnvelope)) {
      r.expectSP();
      bs.envelope = readEnvelope(r, quirks);
      r.expectSP();
      bs.bodyStructure = readBody(r, quirks);
      r.expectSP();
      const lines = readSize(r, quirks);
      if (lines !== undefined) bs.lines = lines;
    } else if (type === 'text' && r.peek() === 0x20 && isSizeStart(r.bytes[r.pos + 1])) {
      r.expectSP();
      const lines = readSize(r, quirks);
      if (lines !== undefined) bs.lines = lines;
    }
    if (r.sp()) {
      bs.md5 = nstringField(r);
      readExtTail(r, bs, quirks, false);
    }
  }
  r.expectListEnd();
  return bs;
}

/** A byte that can start body-fld-lines (a digit, or what the size quirks allow). */
function isSizeStart(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x4e || c === 0x6e;
}

/** A byte that can start a string: DQUOTE or "{" of a literal. */
function isStringStart(c: number): boolean {
  return c === 0x22 || c === 0x7b;
}

/**
 * Whether the body just past its "(" is Gmail's multipart without parts: a quoted string
 * followed by ")" or SP "(" (a body-type-1part has its subtype there), or by SP NIL and five
 * fields or fewer in all (a body-type-1part has at least six). Looks, never consumes.
 */
function isPartlessMultipart(r: ImapReader): boolean {
  const b = r.bytes;
  let i = skipQuoted(b, r.pos, r.end);
  if (i < 0) return false;
  if (b[i] === 0x29) return true;
  if (b[i] !== 0x20) return false;
  if (b[i + 1] === LPAREN) return true;
  // Only NIL params leave the two readings open: count the fields.
  if ((b[i + 1] | 0x20) !== 0x6e) return false;
  for (let fields = 1; ; fields++) {
    if (b[i] === 0x29) return true;
    if (b[i] !== 0x20 || fields === 5) return false;
    i = skipField(b, i + 1, r.end);
    if (i < 0) return false;
  }
}

/** The index past a quoted string at `i`, or -1 if there is none. */
function skipQuoted(b: Uint8Array, i: number, end: number): number {
  if (b[i] !== 0x22) return -1;
  for (i++; i < end; i++) {
    if (b[i] === 0x5c) i++;
    else if (b[i] === 0x22) return i + 1;
  }
  return -1;
}

/** The index past one field (quoted string, list, atom or number) at `i`, or -1; literals are not looked into. */
function skipField(b: Uint8Array, i: number, end: number): number {
  if (b[i] === 0x22) return skipQuoted(b, i, end);
  if (b[i] === LPAREN) {
    let depth = 0;
    for (; i < end; i++) {
      if (b[i] === 0x22) {
        i = skipQuoted(b, i, end) - 1;
        if (i < 0) return -1;
      } else if (b[i] === 0x7b) return -1;
      else if (b[i] === LPAREN) depth++;
      else if (b[i] === 0x29 && --depth === 0) return i + 1;
    }
    return -1;
  }
  const start = i;
  while (i < end && b[i] !== 0x20 && b[i] !== 0x29 && b[i] !== LPAREN && b[i] !== 0x22 && b[i] !== 0x7b) i++;
  return i > start ? i : -1;
}
