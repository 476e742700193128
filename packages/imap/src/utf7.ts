/**
 * Modified UTF-7, the mailbox name encoding of IMAP4rev1 (RFC 3501 §5.1.3; RFC 9051 §5.1
 * keeps it for servers without UTF8=ACCEPT).
 *
 * Printable US-ASCII (0x20-0x7E) stands for itself, except "&", written "&-". Any other run
 * of characters is written "&" + modified BASE64 of its UTF-16BE code units + "-", where
 * modified BASE64 is RFC 4648 base64 with "," for "/" and no "=" padding.
 *
 * Decoding is strict about what RFC 3501 forbids, because a mailbox name that decodes two
 * ways is a mailbox that can be confused with another: a "&" run must end with "-", hold
 * only base64 characters, whole UTF-16 code units with zero padding bits, and no printable
 * ASCII (which must stand for itself). A violation throws ProtocolError (EPROTOCOL).
 */
import { ProtocolError } from '@mailwire/errors';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';
const B64_VALUE = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/** Encodes a mailbox name to modified UTF-7. */
export function encodeModifiedUtf7(name: string): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    const c = name.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) {
      out += c === 0x26 ? '&-' : name[i];
      i++;
      continue;
    }
    // A run of characters outside printable ASCII, as UTF-16 code units.
    const units: number[] = [];
    while (i < name.length) {
      const u = name.charCodeAt(i);
      if (u >= 0x20 && u <= 0x7e) break;
      units.push(u);
      i++;
    }
    out += '&';
    let bits = 0;
    let acc = 0;
    for (const u of units) {
      acc = (acc << 16) | u;
      bits += 16;
      while (bits >= 6) {
        bits -= 6;
        out += B64[(acc >> bits) & 0x3f];
      }
      acc &= (1 << bits) - 1;
    }
    if (bits > 0) out += B64[(acc << (6 - bits)) & 0x3f];
    out += '-';
  }
  return out;
}

function bad(raw: string, why: string): ProtocolError {
  return new ProtocolError(`bad modified UTF-7 mailbox name ${JSON.stringify(raw.slice(0, 80))}: ${why}`, { protocol: 'imap' });
}

/**
 * The UTF-16 code units of the BASE64 run being decoded: one buffer, grown when a run needs
 * more, instead of an array per run (mailbox names are decoded by the ten thousand).
 */
let units = new Uint16Array(64);

/** Decodes a modified UTF-7 mailbox name; throws ProtocolError (EPROTOCOL) on a malformed one. */
export function decodeModifiedUtf7(raw: string): string {
  let amp = raw.indexOf('&');
  if (amp < 0) return raw;
  let out = '';
  let i = 0;
  while (amp >= 0) {
    // the run of direct characters up to the "&", in one slice
    if (amp > i) out += raw.slice(i, amp);
    const end = raw.indexOf('-', amp + 1);
    if (end < 0) throw bad(raw, '"&" without a closing "-"');
    out += end === amp + 1 ? '&' : decodeRun(raw, amp + 1, end);
    i = end + 1;
    amp = raw.indexOf('&', i);
  }
  if (i < raw.length) out += raw.slice(i);
  return out;
}

/** The characters of the modified BASE64 run raw[start, end), checked as the module comment says. */
function decodeRun(raw: string, start: number, end: number): string {
  const most = ((end - start) * 6) >> 4;
  if (units.length < most) units = new Uint16Array(most);
  const u = units;
  let n = 0;
  let bits = 0;
  let acc = 0;
  for (let k = start; k < end; k++) {
    const code = raw.charCodeAt(k);
    const v = code < 128 ? B64_VALUE[code] : -1;
    if (v < 0) throw bad(raw, `${JSON.stringify(raw[k])} is not modified BASE64`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 16) {
      bits -= 16;
      u[n++] = (acc >> bits) & 0xffff;
    }
  }
  if (bits >= 6 || (acc & ((1 << bits) - 1)) !== 0) throw bad(raw, 'a BASE64 run that is not whole UTF-16 code units');
  if (n === 0) throw bad(raw, 'an empty BASE64 run');
  for (let k = 0; k < n; k++) {
    if (u[k] >= 0x20 && u[k] <= 0x7e) throw bad(raw, 'printable ASCII encoded in BASE64');
  }
  for (let k = 0; k < n; k++) {
    const c = u[k];
    const high = c >= 0xd800 && c <= 0xdbff;
    const low = c >= 0xdc00 && c <= 0xdfff;
    const nextLow = k + 1 < n && u[k + 1] >= 0xdc00 && u[k + 1] <= 0xdfff;
    if (low || (high && !nextLow)) throw bad(raw, 'an unpaired UTF-16 surrogate');
    if (high) k++;
  }
  let s = '';
  if (n <= 16) {
    // a few characters (the usual run: an accented letter, a word of CJK): one by one
    for (let k = 0; k < n; k++) s += String.fromCharCode(u[k]);
    return s;
  }
  // In slices: passing a run of a few hundred thousand units (a server can send one in a
  // 1 MiB LIST line) as arguments of one call overflows the stack.
  for (let k = 0; k < n; k += 8192) {
    s += String.fromCharCode.apply(null, u.subarray(k, Math.min(n, k + 8192)) as unknown as number[]);
  }
  return s;
}

/** A mailbox name as sent to a server without UTF8=ACCEPT: modified UTF-7. */
export const encodeMailboxName: (name: string) => string = encodeModifiedUtf7;
/** A mailbox name as a server without UTF8=ACCEPT sent it, decoded (throws ProtocolError when malformed). */
export const decodeMailboxName: (raw: string) => string = decodeModifiedUtf7;
