/**
 * `probe --fingerprint`: measures how the server takes the SASL exchange, on fresh
 * connections: the response forced onto the command line (one line, whatever its length),
 * forced after the go-ahead (two steps), and a token that is not one — does the server
 * answer with the RFC 7628 JSON error challenge before refusing. Also which literal
 * extensions IMAP offers. Each attempt's outcome is reported; none is a failure.
 */
import { AuthenticationError, MailwireError } from '@mailwire/errors';
import type { ConnectionOptions } from 'node:tls';

import { runBehaviourCheck } from './checks/behaviour.js';
import type { CheckContext } from './checks/context.js';
import { literalMinusLimit, literalNonSync } from './checks/imap-literal-checks.js';
import { lineProbeFor, longestLineAccepted } from './checks/longest-line.js';
import { NO_TOKEN_WITHOUT_TLS } from './checks/open-for-checks.js';
import { sessionClient } from './clients.js';
import type { Endpoint } from './endpoint.js';

export interface Fingerprint {
  /** The initial response on the command line even past the line-length rule. */
  oneLine: string;
  /** The response after the server's empty challenge. */
  twoStep: string;
  /** How a token that is not one is refused. */
  invalidToken: string;
  /** IMAP: LITERAL+ / LITERAL- (RFC 7888) as offered. */
  literals?: string;
  /**
   * IMAP: whether they hold on the wire — check's literal-nonsync (a `{8+}` literal read
   * with no "+") and literal-minus-limit (LITERAL-'s 4,096-octet limit refused), each as
   * "verdict: detail".
   */
  literalsOnWire?: { nonSync: string; minusLimit: string };
  /** The longest command line the server took, in words ("8,192 octets (11 connections)"). */
  longestLine: string;
  /** The same as a number of octets, CRLF included; absent where it was not measured. */
  longestLineOctets?: number;
}

const INVALID_TOKEN = 'mailwire-fingerprint-invalid-token';

async function attempt(endpoint: Endpoint, tls: ConnectionOptions, user: string, token: string, mechanism: string, initialResponse: 'always' | 'never'): Promise<{ outcome: string; error?: unknown }> {
  const client = sessionClient(endpoint, { tls, auth: { user, accessToken: token, mechanism, initialResponse } });
  try {
    await client.connect();
    await client.end();
    return { outcome: 'accepted' };
  } catch (error) {
    const e = error as MailwireError & { serverText?: string };
    return { outcome: `refused (${e.code ?? 'error'}${e.serverText ? `: ${e.serverText}` : ''})`, error };
  }
}

export async function fingerprint(endpoint: Endpoint, tls: ConnectionOptions, user: string, token: string, mechanism: string, capabilities: readonly string[]): Promise<Fingerprint> {
  const oneLine = await attempt(endpoint, tls, user, token, mechanism, 'always');
  const twoStep = await attempt(endpoint, tls, user, token, mechanism, 'never');
  const invalid = await attempt(endpoint, tls, user, INVALID_TOKEN, mechanism, 'never');
  let invalidToken: string;
  if (invalid.error instanceof AuthenticationError) {
    const challenge = invalid.error.oauthError;
    invalidToken = challenge
      ? `refused after the JSON error challenge ${JSON.stringify(challenge)}`
      : `refused without an error challenge${invalid.error.serverText ? ` (${invalid.error.serverText})` : ''}`;
  } else invalidToken = invalid.outcome === 'accepted' ? 'ACCEPTED: the server took a token that is not one' : invalid.outcome;
  const result: Fingerprint = { oneLine: oneLine.outcome, twoStep: twoStep.outcome, invalidToken, longestLine: 'not measured' };
  const probe = lineProbeFor(endpoint.protocol);
  if (probe?.needsLogin && endpoint.security === 'none') result.longestLine = `not measured: ${NO_TOKEN_WITHOUT_TLS}`;
  else if (probe) {
    const longest = await longestLineAccepted({ endpoint, tls, user, token, mechanism }, probe);
    const n = longest.octets.toLocaleString('en-US');
    result.longestLine =
      longest.octets === 0
        ? `not even ${probe.floor} octets, the length the RFC requires (${longest.tries} connections)`
        : `${longest.atLeast ? 'at least ' : ''}${n} octets, CRLF included (${longest.tries} connections)`;
    result.longestLineOctets = longest.octets;
  }
  if (endpoint.protocol === 'imap') {
    const upper = capabilities.map((c) => c.toUpperCase());
    result.literals = ['LITERAL+', 'LITERAL-'].filter((l) => upper.includes(l)).join(' ') || 'neither LITERAL+ nor LITERAL- (every literal waits for "+")';
    const ctx: CheckContext = { endpoint, tls, user, token, mechanism, capabilities, oauthOffered: true, add: () => {} };
    const [nonSync, minusLimit] = await Promise.all([literalNonSync, literalMinusLimit].map(async (c) => (await runBehaviourCheck(c, ctx)).join(': ')));
    result.literalsOnWire = { nonSync: nonSync!, minusLimit: minusLimit! };
  }
  return result;
}
