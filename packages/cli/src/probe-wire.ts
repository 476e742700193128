/**
 * What the probe reads off a redacted transcript: the greeting, the capabilities the
 * server listed before STARTTLS, and which SASL form went on the wire. Reading the wire,
 * not the client's state, works the same for every protocol and also after a failure.
 */
import type { TranscriptEntry } from '@mailwire/net';

import type { Protocol } from './endpoint.js';

export interface TimedEntry extends TranscriptEntry {
  ms: number;
}

export function greetingOf(entries: readonly TranscriptEntry[]): string | undefined {
  return entries.find((e) => e.dir === 'S')?.line;
}

function isStartTls(protocol: Protocol, e: TranscriptEntry): boolean {
  if (e.dir !== 'C') return false;
  const verb = protocol === 'imap' ? e.line.split(' ')[1] : e.line.split(' ')[0];
  return (verb ?? '').toUpperCase() === (protocol === 'pop3' ? 'STLS' : 'STARTTLS');
}

/** The capabilities listed before the STARTTLS command, or undefined when there was none. */
export function capabilitiesBeforeTls(protocol: Protocol, entries: readonly TranscriptEntry[]): string[] | undefined {
  const at = entries.findIndex((e) => isStartTls(protocol, e));
  if (at === -1) return undefined;
  return capabilitiesIn(protocol, entries.slice(0, at));
}

/** The capabilities listed after the STARTTLS command (all of them when there was none). */
export function capabilitiesAfterTls(protocol: Protocol, entries: readonly TranscriptEntry[]): string[] {
  const at = entries.findIndex((e) => isStartTls(protocol, e));
  return capabilitiesIn(protocol, entries.slice(at + 1));
}

export function capabilitiesIn(protocol: Protocol, entries: readonly TranscriptEntry[]): string[] {
  const caps: string[] = [];
  if (protocol === 'imap') {
    for (const e of entries) {
      if (e.dir !== 'S') continue;
      const m = /^\* CAPABILITY (.*)$/i.exec(e.line) ?? /\[CAPABILITY ([^\]]*)\]/i.exec(e.line);
      if (m) caps.splice(0, caps.length, ...m[1]!.split(' ').filter(Boolean));
    }
  } else if (protocol === 'smtp') {
    let inEhlo = false;
    let first = false;
    for (const e of entries) {
      if (e.dir === 'C') {
        inEhlo = /^EHLO /i.test(e.line);
        if (inEhlo) {
          caps.length = 0;
          first = true;
        }
        continue;
      }
      if (!inEhlo || !/^250[- ]/.test(e.line)) continue;
      if (first) first = false;
      else caps.push(e.line.slice(4));
    }
  } else {
    let inCapa = false;
    for (const e of entries) {
      if (e.dir === 'C') {
        inCapa = /^CAPA$/i.test(e.line);
        if (inCapa) caps.length = 0;
        continue;
      }
      if (!inCapa || e.line.startsWith('+OK')) continue;
      if (e.line === '.') inCapa = false;
      else caps.push(e.line);
    }
  }
  return caps;
}

/** Which SASL form the client used: the response on the command line, or after the server's go-ahead. */
export function saslFormUsed(protocol: Protocol, entries: readonly TranscriptEntry[]): 'one-line' | 'two-step' | undefined {
  const verb = protocol === 'imap' ? 'AUTHENTICATE' : 'AUTH';
  const at = entries.findIndex((e) => {
    if (e.dir !== 'C') return false;
    const words = e.line.split(' ');
    return (protocol === 'imap' ? words[1] : words[0])?.toUpperCase() === verb;
  });
  if (at === -1) return undefined;
  const words = entries[at]!.line.split(' ');
  return words.length > (protocol === 'imap' ? 3 : 2) ? 'one-line' : 'two-step';
}
