/**
 * Replays a SASL fixture (fixtures/sasl/*.txt) through SaslExchange the way a protocol
 * session would: capability lines set SASL-IR, the AUTH/AUTHENTICATE line is produced by
 * `command()`, each continuation is answered by `onChallenge()`, and the final status goes
 * to `onSuccess()` or `onFailure()`. The lines it produced and the transcript's C lines
 * are returned side by side, CRLF included, to be compared byte for byte.
 */
import { readFileSync } from 'node:fs';
import type { AuthenticationError } from '@mailwire/errors';
import { parseTranscript } from '@mailwire/transcript';
import type { Transcript, TranscriptEntry } from '@mailwire/transcript';
import { SaslExchange } from './exchange.js';
import type { SaslExchangeOptions } from './exchange.js';
import type { SaslProtocol } from './initial-response.js';
import type { SaslClientMechanism } from './types.js';

/** Loads fixtures/sasl/<name>. */
export function loadFixture(name: string): Transcript {
  return parseTranscript(readFileSync(new URL(`../../../fixtures/sasl/${name}`, import.meta.url), 'utf8'));
}

/** An entry's text with its CRLF, as latin1. */
export const entryText = (e: TranscriptEntry): string => Buffer.from(e.bytes).toString('latin1');
const stripCrlf = (s: string) => s.replace(/\r\n$/, '');

export interface Replay {
  /** What the exchange sent, each with CRLF; SMTP/POP3 command verbs upper-cased when `caseInsensitiveCommand`. */
  clientLines: string[];
  /** The transcript's C lines from the AUTH command on, with CRLF. */
  expectedLines: string[];
  outcome: 'success' | AuthenticationError;
  exchange: SaslExchange;
}

export interface ReplayOptions extends Pick<SaslExchangeOptions, 'initialResponse'> {
  /** Compare the command line case-insensitively (the seed's "auth xoauth2"). */
  caseInsensitiveCommand?: boolean;
}

/** Replays fixture `name` for `protocol` with `mechanism`. */
export function replayFixture(protocol: SaslProtocol, name: string, mechanism: SaslClientMechanism, options: ReplayOptions = {}): Replay {
  const { entries } = loadFixture(name);
  let saslIr = false;
  let exchange: SaslExchange | undefined;
  let tag = '';
  const clientLines: string[] = [];
  const expectedLines: string[] = [];
  let outcome: Replay['outcome'] | undefined;
  const send = (line: string) => clientLines.push(`${line}\r\n`);
  for (const entry of entries) {
    const raw = entryText(entry);
    const text = stripCrlf(raw);
    if (entry.dir === 'C') {
      if (exchange === undefined && /^(\S+ )?AUTH(ENTICATE)? /i.test(text)) {
        tag = protocol === 'imap' ? text.split(' ')[0]! : '';
        exchange = new SaslExchange({ protocol, mechanism, saslIr, tag, ...(options.initialResponse ? { initialResponse: options.initialResponse } : {}) });
        const sent = `${tag ? `${tag} ` : ''}${exchange.command()}\r\n`;
        clientLines.push(options.caseInsensitiveCommand ? sent.toUpperCase() : sent);
        expectedLines.push(options.caseInsensitiveCommand ? raw.toUpperCase() : raw);
      } else if (exchange !== undefined) {
        expectedLines.push(raw);
      }
      continue;
    }
    if (exchange === undefined) {
      if (/^\* CAPABILITY /i.test(text) || /\[CAPABILITY /i.test(text)) saslIr = /[ \[]SASL-IR[ \]]/i.test(`${text} `);
      continue;
    }
    if (protocol === 'imap') {
      const m = /^(\S+) (OK|NO|BAD) (?:\[([^\]]+)\] )?(.*)$/.exec(text);
      if (text.startsWith('+')) send(exchange.onChallenge(text.replace(/^\+ ?/, '')));
      else if (m && m[1] === tag && m[2] === 'OK') (exchange.onSuccess(), (outcome = 'success'));
      else if (m && m[1] === tag) outcome = exchange.onFailure({ serverText: m[4]!, ...(m[3] ? { responseCode: m[3] } : {}) });
    } else if (protocol === 'pop3') {
      if (text.startsWith('+OK')) (exchange.onSuccess(), (outcome = 'success'));
      else if (text.startsWith('+')) send(exchange.onChallenge(text.replace(/^\+ ?/, '')));
      else if (text.startsWith('-ERR')) outcome = exchange.onFailure({ serverText: text.replace(/^-ERR ?/, '') });
    } else {
      const m = /^(\d{3})(?:[ -](?:(\d\.\d{1,3}\.\d{1,3}) )?(.*))?$/.exec(text);
      if (m === null) throw new Error(`${name}: not an SMTP reply: ${text}`);
      const code = Number(m[1]);
      if (code === 334) send(exchange.onChallenge(m[3] ?? ''));
      else if (code === 235) (exchange.onSuccess(), (outcome = 'success'));
      else outcome = exchange.onFailure({ serverText: m[3] ?? '', replyCode: code, ...(m[2] ? { enhancedCode: m[2] } : {}) });
    }
  }
  if (exchange === undefined || outcome === undefined) throw new Error(`${name}: no complete exchange`);
  return { clientLines, expectedLines, outcome, exchange };
}
