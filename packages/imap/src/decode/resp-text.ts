/**
 * resp-text and resp-text-code (RFC 9051 §7.1, §9; RFC 3501 §7.1; UIDPLUS RFC 4315 §3;
 * CONDSTORE RFC 7162 §3.1/§3.2; RFC 5530 response codes).
 *
 *   resp-text      = ["[" resp-text-code "]" SP] [text]
 *   resp-text-code = "ALERT" / "BADCHARSET" [SP "(" charset *(SP charset) ")"] /
 *                    capability-data / "PARSE" / "PERMANENTFLAGS" SP "(" [flag-perm *(SP flag-perm)] ")" /
 *                    "READ-ONLY" / "READ-WRITE" / "TRYCREATE" / "UIDNEXT" SP nz-number /
 *                    "UIDVALIDITY" SP nz-number / "UNSEEN" SP nz-number / ... /
 *                    atom [SP 1*<any TEXT-CHAR except "]">]
 *
 * Known codes get typed values (see ResponseCode in ../types.ts); an unknown code keeps its
 * raw text as the value. Sequence sets (APPENDUID, COPYUID, MODIFIED) stay strings.
 */
import { type ImapReader, RBRACKET, LBRACKET, SP } from '@mailwire/wire';
import type { ResponseCode } from '../types.js';
import type { ImapQuirks } from '../quirks.js';

/** Codes that carry no value (RFC 9051 §7.1, RFC 5530 §3, RFC 7162 NOMODSEQ, RFC 4315 UIDNOTSTICKY). */
export const VALUELESS_CODES: ReadonlySet<string> = new Set([
  'ALERT', 'PARSE', 'READ-ONLY', 'READ-WRITE', 'TRYCREATE', 'NOMODSEQ', 'UIDNOTSTICKY', 'CLOSED',
  'UNAVAILABLE', 'AUTHENTICATIONFAILED', 'AUTHORIZATIONFAILED', 'EXPIRED', 'PRIVACYREQUIRED',
  'CONTACTADMIN', 'NOPERM', 'INUSE', 'EXPUNGEISSUED', 'CORRUPTION', 'SERVERBUG', 'CLIENTBUG',
  'CANNOT', 'LIMIT', 'OVERQUOTA', 'ALREADYEXISTS', 'NONEXISTENT', 'HASCHILDREN', 'NOTSAVED',
  'UNKNOWN-CTE', 'COMPRESSIONACTIVE', 'USEATTR',
]);

/** sequence-set / uid-set: the raw characters, never expanded. */
export function readSequenceSet(r: ImapReader): string | undefined {
  const b = r.bytes;
  const start = r.pos;
  let i = start;
  while (i < r.end) {
    const c = b[i];
    if ((c >= 0x30 && c <= 0x39) || c === 0x3a || c === 0x2c || c === 0x2a) i++;
    else break;
  }
  if (i === start) return undefined;
  r.pos = i;
  return r.raw(start, i);
}

export function expectSequenceSet(r: ImapReader): string {
  const s = readSequenceSet(r);
  if (s === undefined) throw r.error('sequence-set');
  return s;
}

/** "(" [flag *(SP flag)] ")" — flag lists of FLAGS and PERMANENTFLAGS. */
export function readFlagList(r: ImapReader): string[] {
  r.expectListBegin();
  const flags: string[] = [];
  if (r.listEnd()) return flags;
  for (;;) {
    const f = r.flag();
    if (f === undefined) throw r.error('flag');
    flags.push(f);
    if (r.listEnd()) return flags;
    r.expectSP();
    // Some servers leave a space before ")".
    if (r.listEnd()) return flags;
  }
}

/** A run of space-separated atoms up to "]" or the end (capability-data, ENABLED). */
export function readAtoms(r: ImapReader): string[] {
  const out: string[] = [];
  for (;;) {
    while (r.sp());
    const a = r.atom();
    if (a === undefined) return out;
    out.push(a);
  }
}

/** Reads resp-text-code after "["; leaves the reader past "]". */
export function readRespTextCode(r: ImapReader, quirks: ImapQuirks): ResponseCode {
  const name = r.keyword();
  if (name === undefined) throw r.error('resp-text-code');
  let value: unknown;
  switch (name) {
    case 'CAPABILITY':
      value = readAtoms(r);
      break;
    case 'PERMANENTFLAGS':
      r.expectSP();
      value = readFlagList(r);
      break;
    case 'BADCHARSET':
      if (r.sp()) {
        r.expectListBegin();
        const sets: string[] = [];
        do sets.push(r.expectAString());
        while (r.sp());
        r.expectListEnd();
        value = sets;
      } else value = [];
      break;
    case 'UIDVALIDITY':
    case 'UIDNEXT':
    case 'UNSEEN':
      r.expectSP();
      value = r.expectNumber();
      break;
    case 'HIGHESTMODSEQ':
      r.expectSP();
      value = r.expectNumber64();
      break;
    case 'APPENDUID': {
      r.expectSP();
      const uidValidity = r.expectNumber();
      r.expectSP();
      value = { uidValidity, uids: expectSequenceSet(r) };
      break;
    }
    case 'COPYUID': {
      if (quirks.bareCopyUid && !hasThreeArguments(r)) {
        // Exchange: "[COPYUID]" or "[COPYUID 983  ]" — no sets to report.
        while (r.peek() !== RBRACKET && !r.atEnd()) r.pos++;
        break;
      }
      r.expectSP();
      const uidValidity = r.expectNumber();
      r.expectSP();
      const sourceUids = expectSequenceSet(r);
      r.expectSP();
      value = { uidValidity, sourceUids, destinationUids: expectSequenceSet(r) };
      break;
    }
    case 'MODIFIED':
      r.expectSP();
      value = expectSequenceSet(r);
      break;
    default:
      if (r.sp() || !VALUELESS_CODES.has(name)) value = readCodeText(r);
  }
  if (r.peek() !== RBRACKET) {
    if (VALUELESS_CODES.has(name) && value === undefined) value = readCodeText(r);
    else throw r.error(`"]" to end the ${name} response code`);
  }
  r.pos++;
  const code: ResponseCode = { name };
  if (value !== undefined) code.value = value;
  return code;
}

/** Whether the code text up to "]" holds three space-separated words (COPYUID's arguments). */
function hasThreeArguments(r: ImapReader): boolean {
  const b = r.bytes;
  let words = 0;
  let inWord = false;
  for (let i = r.pos; i < r.end && b[i] !== RBRACKET; i++) {
    const word = b[i] !== SP;
    if (word && !inWord) words++;
    inWord = word;
  }
  return words === 3;
}

/** 1*<any TEXT-CHAR except "]">, or undefined when there is none. */
function readCodeText(r: ImapReader): string | undefined {
  const b = r.bytes;
  while (r.peek() === SP) r.pos++;
  const start = r.pos;
  let i = start;
  while (i < r.end && b[i] !== RBRACKET && b[i] !== 0x0d) i++;
  r.pos = i;
  return i === start ? undefined : r.raw(start, i);
}

/** resp-text: an optional [code], then free text. Tolerates a missing SP before the text. */
export function readRespText(r: ImapReader, quirks: ImapQuirks): { code?: ResponseCode; text: string } {
  if (r.byte(LBRACKET)) {
    const code = readRespTextCode(r, quirks);
    r.sp();
    return { code, text: r.text() };
  }
  return { text: r.text() };
}
