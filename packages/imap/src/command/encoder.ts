/**
 * encodeCommand turns a tag, a command name and CommandArgs into the parts a session
 * sends: bytes, a wait for the server's "+" after each synchronizing literal, and literal
 * bodies streamed from the caller (RFC 9051 §4.3, §7.5).
 *
 * Each string's wire form is chosen by its content, which makes the encoder
 * injection-proof: a CR or LF can only travel inside a literal (whose length the server
 * reads, never its line ends), a NUL is refused with UsageError (it is legal only in a
 * literal8 of BINARY, RFC 3516), and bare tokens are checked to hold no CTL, `{` or `"`.
 *
 *   astring        = 1*ASTRING-CHAR / string
 *   string         = quoted / literal
 *   quoted         = DQUOTE *QUOTED-CHAR DQUOTE        ; `\` escapes `"` and `\`
 *   literal        = "{" number64 ["+"] "}" CRLF *CHAR8   ; "+": LITERAL+/LITERAL- (RFC 7888)
 *   literal8       = "~{" number64 ["+"] "}" CRLF *OCTET  ; RFC 3516
 *
 * Non-synchronizing literals are used only where advertised: any size with LITERAL+, at
 * most 4,096 bytes with LITERAL- (RFC 7888 §4). Everything else waits for "+".
 */
import { redactCommand, UsageError } from '@mailwire/errors';

import { encodeMailboxName } from '../utf7.js';
import type { CommandArg, LiteralSource } from './arguments.js';
import { isAtom, isAtomChar } from './arguments.js';

/** What the encoder may use, from the server's capabilities and what was ENABLEd. */
export interface EncoderCapabilities {
  /** LITERAL+ (RFC 7888): non-synchronizing literals of any size. */
  literalPlus?: boolean;
  /** LITERAL- (RFC 7888): non-synchronizing literals up to 4,096 bytes. */
  literalMinus?: boolean;
  /** UTF8=ACCEPT enabled (RFC 6855) or IMAP4rev2 (RFC 9051): UTF-8 in quoted strings and mailbox names. */
  utf8?: boolean;
  /** BINARY (RFC 3516): literal8 allowed where an argument asks for it. */
  binary?: boolean;
}

export type CommandPart =
  | { kind: 'bytes'; bytes: Uint8Array; secret?: boolean }
  /** Wait for the server's continuation request before sending the next part. */
  | { kind: 'continue' }
  /** A literal body the client streams from the caller's source: exactly `size` bytes. */
  | { kind: 'stream'; size: number; source: AsyncIterable<Uint8Array>; secret?: boolean };

export interface EncodedCommand {
  parts: CommandPart[];
  /** The command as text for errors and logs: literal bodies left out, secrets redacted. */
  text: string;
}

/** What the encoder may use, from the server's capabilities and the extensions ENABLEd (upper-cased). */
export function encoderCapabilitiesFor(caps: ReadonlySet<string>, enabled: ReadonlySet<string>): EncoderCapabilities {
  const rev2 = caps.has('IMAP4REV2');
  return {
    literalPlus: caps.has('LITERAL+'),
    literalMinus: caps.has('LITERAL-') || rev2,
    utf8: enabled.has('UTF8=ACCEPT') || enabled.has('IMAP4REV2'),
    binary: caps.has('BINARY'),
  };
}

/** The LITERAL- limit (RFC 7888 §4). */
export const LITERAL_MINUS_MAX = 4096;
/** Strings longer than this go as literals even when they could be quoted. */
const MAX_QUOTED_BYTES = 1024;

const utf8 = new TextEncoder();

class PartBuilder {
  readonly parts: CommandPart[] = [];
  private pending: Uint8Array[] = [];
  /** Text not yet encoded: runs of ascii() become one string and one encoding, not one array each. */
  private pendingText = '';
  private pendingSecret = false;
  text = '';

  ascii(text: string): void {
    this.pendingText += text;
    this.text += text;
  }

  bytes(bytes: Uint8Array, shown: string, secret = false): void {
    this.encodeText();
    this.pending.push(bytes);
    this.pendingSecret ||= secret;
    this.text += secret ? '[redacted]' : shown;
  }

  flush(): void {
    if (this.pending.length === 0 && this.pendingText !== '') {
      // Text alone (most commands): one encoding, no concatenation.
      this.parts.push({ kind: 'bytes', bytes: Buffer.from(this.pendingText, 'utf8') });
      this.pendingText = '';
      return;
    }
    this.encodeText();
    if (this.pending.length === 0) return;
    const out = Buffer.concat(this.pending);
    this.parts.push(this.pendingSecret ? { kind: 'bytes', bytes: out, secret: true } : { kind: 'bytes', bytes: out });
    this.pending = [];
    this.pendingSecret = false;
  }

  private encodeText(): void {
    if (this.pendingText === '') return;
    this.pending.push(Buffer.from(this.pendingText, 'utf8'));
    this.pendingText = '';
  }

  push(part: CommandPart): void {
    this.flush();
    this.parts.push(part);
  }
}

function hasByte(bytes: Uint8Array, test: (b: number) => boolean): boolean {
  for (let i = 0; i < bytes.length; i++) if (test(bytes[i]!)) return true;
  return false;
}

/** Encodes one command. Throws UsageError for an argument that cannot be sent safely. */
export function encodeCommand(tag: string, name: string, args: readonly CommandArg[], caps: EncoderCapabilities = {}): EncodedCommand {
  if (!isAtom(tag)) throw new UsageError(`Not a valid tag: ${JSON.stringify(tag)}`, { protocol: 'imap' });
  if (!isAtom(name, true)) throw new UsageError(`Not a valid command name: ${JSON.stringify(name.slice(0, 40))}`, { protocol: 'imap' });
  const out = new PartBuilder();
  out.ascii(`${tag} ${name}`);
  for (const arg of args) {
    out.ascii(' ');
    encodeArg(out, arg, caps);
  }
  out.ascii('\r\n');
  out.flush();
  const shown = out.text.slice(0, -2);
  return { parts: out.parts, text: redactCommand(shown.length > 300 ? `${shown.slice(0, 300)}...` : shown) };
}

function encodeArg(out: PartBuilder, arg: CommandArg, caps: EncoderCapabilities): void {
  switch (arg.type) {
    case 'atom':
      if (!isAtom(arg.value, true)) throw new UsageError(`Not an IMAP atom: ${JSON.stringify(arg.value.slice(0, 60))}`, { protocol: 'imap' });
      out.ascii(arg.value);
      return;
    case 'number':
      out.ascii(String(arg.value));
      return;
    case 'sequence':
      out.ascii(arg.value);
      return;
    case 'list':
      out.ascii('(');
      arg.items.forEach((item, i) => {
        if (i > 0) out.ascii(' ');
        encodeArg(out, item, caps);
      });
      out.ascii(')');
      return;
    case 'string':
      encodeString(out, typeof arg.value === 'string' ? utf8.encode(arg.value) : arg.value, caps, {
        secret: arg.secret === true,
        allowAtom: arg.preferQuoted !== true,
      });
      return;
    case 'mailbox':
      encodeMailbox(out, arg.value, arg.wildcards === true, caps);
      return;
    case 'literal':
      encodeLiteral(out, arg.value, caps, arg.binary === true, arg.secret === true);
      return;
  }
}

function encodeMailbox(out: PartBuilder, name: string, wildcards: boolean, caps: EncoderCapabilities): void {
  if (name.toUpperCase() === 'INBOX') {
    out.ascii('INBOX');
    return;
  }
  if (name.includes('\0')) throw new UsageError('A mailbox name cannot hold a NUL byte', { protocol: 'imap' });
  const wire = caps.utf8 ? name : encodeMailboxName(name);
  const bytes = utf8.encode(wire);
  const bare = wildcards && bytes.length > 0 && !hasByte(bytes, (c) => !(isAtomChar(c) || c === 0x25 || c === 0x2a || c === 0x5d));
  if (bare) out.ascii(wire);
  else encodeString(out, bytes, caps, { secret: false, allowAtom: !wildcards });
}

function encodeString(out: PartBuilder, bytes: Uint8Array, caps: EncoderCapabilities, opts: { secret: boolean; allowAtom: boolean }): void {
  if (hasByte(bytes, (c) => c === 0)) {
    throw new UsageError('A NUL byte cannot be sent in an IMAP string (only in a BINARY literal8)', { protocol: 'imap' });
  }
  const needsLiteral =
    bytes.length > MAX_QUOTED_BYTES || hasByte(bytes, (c) => c === 0x0d || c === 0x0a || (c >= 0x80 && !caps.utf8));
  if (needsLiteral) {
    encodeLiteral(out, bytes, caps, false, opts.secret);
    return;
  }
  const text = new TextDecoder().decode(bytes);
  const atomic = opts.allowAtom && bytes.length > 0 && !hasByte(bytes, (c) => !(isAtomChar(c) || c === 0x5d)) && text.toUpperCase() !== 'NIL';
  if (atomic) {
    out.bytes(bytes, text, opts.secret);
    return;
  }
  let quoted = '"';
  for (const ch of text) quoted += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  quoted += '"';
  out.bytes(utf8.encode(quoted), quoted, opts.secret);
}

function encodeLiteral(out: PartBuilder, value: LiteralSource, caps: EncoderCapabilities, binary: boolean, secret: boolean): void {
  const size = value instanceof Uint8Array ? value.length : value.size;
  if (!Number.isSafeInteger(size) || size < 0) throw new UsageError(`Not a literal size: ${size}`, { protocol: 'imap' });
  if (binary && !caps.binary) throw new UsageError('A binary literal needs the BINARY capability (RFC 3516)', { protocol: 'imap' });
  if (!binary && value instanceof Uint8Array && hasByte(value, (c) => c === 0)) {
    throw new UsageError('A NUL byte can only be sent in a BINARY literal8 (RFC 3516)', { protocol: 'imap' });
  }
  const nonSync = caps.literalPlus === true || (caps.literalMinus === true && size <= LITERAL_MINUS_MAX);
  const header = `${binary ? '~' : ''}{${size}${nonSync ? '+' : ''}}`;
  out.ascii(header);
  out.ascii('\r\n');
  if (!nonSync) out.push({ kind: 'continue' });
  out.text = out.text.slice(0, -2);
  if (value instanceof Uint8Array) {
    out.flush();
    out.bytes(value, '', secret);
    out.flush();
  } else {
    out.push(secret ? { kind: 'stream', size, source: value.source, secret: true } : { kind: 'stream', size, source: value.source });
  }
}
