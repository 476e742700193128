/**
 * The FETCH data encoder: ENVELOPE, BODY/BODYSTRUCTURE and whole FETCH responses as a server
 * sends them (RFC 9051 §7.5.2 and §9), for the test servers and for the encode -> decode
 * round-trip properties. The inverse of envelope.ts, body-structure.ts and fetch.ts.
 *
 * Strings go as quoted strings where they can (printable ASCII, `\` and DQUOTE escaped) and
 * as literals otherwise (CR, LF, NUL or 8-bit bytes, or longer than 1000 bytes). NIL for null.
 * Extension data (md5, disposition, language, location, extensions) is written up to the
 * last field that is set, with NIL for unset fields before it, as the grammar's nesting wants.
 */
import type { Address, BodyStructure, Envelope, FetchResult } from '../types.js';

/** Collects IMAP output: text runs and literal bytes, joined once at the end. */
class Writer {
  parts: Uint8Array[] = [];
  text = '';

  raw(s: string): this {
    this.text += s;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.flush();
    this.parts.push(b);
    return this;
  }

  /** string: quoted where it can be, literal otherwise. */
  string(s: string): this {
    if (s.length <= 1000 && /^[\x20-\x7e]*$/.test(s)) return this.raw(`"${s.replace(/[\\"]/g, '\\$&')}"`);
    const data = Buffer.from(s, 'utf8');
    return this.raw(`{${data.length}}\r\n`).bytes(data);
  }

  nstring(s: string | null | undefined): this {
    return s === null || s === undefined ? this.raw('NIL') : this.string(s);
  }

  flush(): void {
    if (this.text) this.parts.push(Buffer.from(this.text, 'latin1'));
    this.text = '';
  }

  done(): Uint8Array {
    this.flush();
    return Buffer.concat(this.parts);
  }
}

function writeAddresses(w: Writer, list: Address[]): void {
  if (list.length === 0) {
    w.raw('NIL');
    return;
  }
  w.raw('(');
  for (const a of list) {
    w.raw('(').nstring(a.name).raw(' ').nstring(a.adl ?? null).raw(' ').nstring(a.mailbox).raw(' ').nstring(a.host).raw(')');
  }
  w.raw(')');
}

function writeEnvelope(w: Writer, e: Envelope): void {
  w.raw('(').nstring(e.date).raw(' ').nstring(e.subject);
  for (const list of [e.from, e.sender, e.replyTo, e.to, e.cc, e.bcc]) {
    w.raw(' ');
    writeAddresses(w, list);
  }
  w.raw(' ').nstring(e.inReplyTo).raw(' ').nstring(e.messageId).raw(')');
}

/** body-fld-param: NIL when empty. */
function writeParams(w: Writer, params: Record<string, string>): void {
  const entries = Object.entries(params);
  if (entries.length === 0) {
    w.raw('NIL');
    return;
  }
  w.raw('(');
  entries.forEach(([k, v], i) => {
    if (i > 0) w.raw(' ');
    w.string(k).raw(' ').string(v);
  });
  w.raw(')');
}

function writeExtension(w: Writer, v: unknown): void {
  if (Array.isArray(v)) {
    w.raw('(');
    v.forEach((x, i) => {
      if (i > 0) w.raw(' ');
      writeExtension(w, x);
    });
    w.raw(')');
  } else if (typeof v === 'number' || typeof v === 'bigint') w.raw(String(v));
  else if (typeof v === 'string') w.string(v);
  else w.raw('NIL');
}

/** The extension fields after md5 / params: dsp, lang, loc, extensions — up to the last set. */
function writeExtTail(w: Writer, bs: BodyStructure): void {
  const hasExt = bs.extension !== undefined && bs.extension.length > 0;
  const last = hasExt ? 3 : bs.location !== undefined ? 3 : bs.language !== undefined ? 2 : bs.disposition !== undefined ? 1 : 0;
  if (last >= 1) {
    w.raw(' ');
    if (bs.disposition) {
      w.raw('(').string(bs.disposition.type).raw(' ');
      writeParams(w, bs.disposition.parameters);
      w.raw(')');
    } else w.raw('NIL');
  }
  if (last >= 2) {
    w.raw(' ');
    const lang = bs.language;
    if (!lang || lang.length === 0) w.raw('NIL');
    else if (lang.length === 1) w.string(lang[0]);
    else {
      w.raw('(');
      lang.forEach((l, i) => (i > 0 ? w.raw(' ') : w).string(l));
      w.raw(')');
    }
  }
  if (last >= 3) w.raw(' ').nstring(bs.location);
  if (hasExt) for (const x of bs.extension!) writeExtension(w.raw(' '), x);
}

function hasTail(bs: BodyStructure): boolean {
  return bs.disposition !== undefined || bs.language !== undefined || bs.location !== undefined || (bs.extension?.length ?? 0) > 0;
}

function writeBody(w: Writer, bs: BodyStructure, extensible: boolean): void {
  w.raw('(');
  if (bs.parts && bs.parts.length > 0) {
    for (const p of bs.parts) writeBody(w, p, extensible);
    w.raw(' ').string(bs.subtype.toUpperCase());
    if (extensible && (Object.keys(bs.parameters).length > 0 || hasTail(bs))) {
      w.raw(' ');
      writeParams(w, bs.parameters);
      writeExtTail(w, bs);
    }
  } else {
    w.string(bs.type.toUpperCase()).raw(' ').string(bs.subtype.toUpperCase()).raw(' ');
    writeParams(w, bs.parameters);
    w.raw(' ').nstring(bs.id).raw(' ').nstring(bs.description).raw(' ').string(bs.encoding ?? '7BIT');
    w.raw(` ${bs.size ?? 0}`);
    const type = bs.type.toLowerCase();
    const subtype = bs.subtype.toLowerCase();
    if (type === 'message' && (subtype === 'rfc822' || subtype === 'global') && bs.envelope && bs.bodyStructure) {
      w.raw(' ');
      writeEnvelope(w, bs.envelope);
      w.raw(' ');
      writeBody(w, bs.bodyStructure, extensible);
      w.raw(` ${bs.lines ?? 0}`);
    } else if (type === 'text') w.raw(` ${bs.lines ?? 0}`);
    if (extensible && (bs.md5 !== undefined || hasTail(bs))) {
      w.raw(' ').nstring(bs.md5);
      writeExtTail(w, bs);
    }
  }
  w.raw(')');
}

/** envelope (RFC 9051 §9) as bytes. */
export function encodeEnvelope(envelope: Envelope): Uint8Array {
  const w = new Writer();
  writeEnvelope(w, envelope);
  return w.done();
}

/**
 * body (RFC 9051 §9) as bytes: with extension data for BODYSTRUCTURE (the default), without
 * for the non-extensible BODY (`{ extensible: false }`).
 */
export function encodeBodyStructure(bodyStructure: BodyStructure, options: { extensible?: boolean } = {}): Uint8Array {
  const w = new Writer();
  writeBody(w, bodyStructure, options.extensible ?? true);
  return w.done();
}

/** A whole `* seq FETCH (...)` CRLF response for a FetchResult. */
export function encodeFetchResponse(fetch: FetchResult): Uint8Array {
  const w = new Writer();
  w.raw(`* ${fetch.seq} FETCH (`);
  const items: (() => void)[] = [];
  if (fetch.uid !== undefined) items.push(() => w.raw(`UID ${fetch.uid}`));
  if (fetch.flags) items.push(() => w.raw(`FLAGS (${fetch.flags!.join(' ')})`));
  if (fetch.internalDate !== undefined) items.push(() => w.raw('INTERNALDATE ').string(fetch.internalDate!));
  if (fetch.size !== undefined) items.push(() => w.raw(`RFC822.SIZE ${fetch.size}`));
  if (fetch.envelope) items.push(() => writeEnvelope(w.raw('ENVELOPE '), fetch.envelope!));
  if (fetch.bodyStructure) items.push(() => writeBody(w.raw('BODYSTRUCTURE '), fetch.bodyStructure!, true));
  if (fetch.modSeq !== undefined) items.push(() => w.raw(`MODSEQ (${fetch.modSeq})`));
  if (fetch.gmailMessageId !== undefined) items.push(() => w.raw(`X-GM-MSGID ${fetch.gmailMessageId}`));
  if (fetch.gmailThreadId !== undefined) items.push(() => w.raw(`X-GM-THRID ${fetch.gmailThreadId}`));
  if (fetch.gmailLabels) {
    items.push(() => {
      w.raw('X-GM-LABELS (');
      fetch.gmailLabels!.forEach((l, i) => (i > 0 ? w.raw(' ') : w).string(l));
      w.raw(')');
    });
  }
  for (const [key, n] of Object.entries(fetch.binarySize ?? {})) items.push(() => w.raw(`${key.replace(/^BINARY/, 'BINARY.SIZE')} ${n}`));
  for (const [key, data] of Object.entries(fetch.body ?? {})) items.push(() => w.raw(`${key} {${data.length}}\r\n`).bytes(data));
  items.forEach((write, i) => {
    if (i > 0) w.raw(' ');
    write();
  });
  w.raw(')\r\n');
  return w.done();
}
