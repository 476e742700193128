/**
 * The server URLs the verbs take: imap://, imaps://, smtp://, smtps://, submission://,
 * pop3://, pop3s://, each with its default port and security (the `s` schemes are
 * implicit TLS; the others upgrade with STARTTLS/STLS unless --plaintext says not to).
 */
import type { Security } from '@mailwire/net';

import { ArgvError } from './args.js';

export type Protocol = 'imap' | 'smtp' | 'pop3';

export interface Endpoint {
  url: string;
  protocol: Protocol;
  host: string;
  port: number;
  security: Security;
}

const SCHEMES: Record<string, { protocol: Protocol; port: number; security: Security }> = {
  imap: { protocol: 'imap', port: 143, security: 'starttls' },
  imaps: { protocol: 'imap', port: 993, security: 'tls' },
  smtp: { protocol: 'smtp', port: 25, security: 'starttls' },
  smtps: { protocol: 'smtp', port: 465, security: 'tls' },
  submission: { protocol: 'smtp', port: 587, security: 'starttls' },
  pop3: { protocol: 'pop3', port: 110, security: 'starttls' },
  pop3s: { protocol: 'pop3', port: 995, security: 'tls' },
};

export const URL_FORMS = 'imap://host[:port] imaps:// smtp:// smtps:// submission:// pop3:// pop3s://';

export function parseEndpoint(text: string, options: { plaintext?: boolean } = {}): Endpoint {
  const match = /^([a-z0-9]+):\/\/(\[[0-9a-fA-F:.]+\]|[^:/[\]]+)(?::(\d{1,5}))?\/?$/.exec(text);
  const scheme = match ? SCHEMES[match[1]!] : undefined;
  if (!match || !scheme) throw new ArgvError(`not a server URL: ${JSON.stringify(text)} (expected ${URL_FORMS})`);
  const port = match[3] === undefined ? scheme.port : Number(match[3]);
  if (port < 1 || port > 65535) throw new ArgvError(`port out of range in ${text}`);
  const host = match[2]!.replace(/^\[(.*)\]$/, '$1');
  let security = scheme.security;
  if (options.plaintext) {
    if (security === 'tls') throw new ArgvError(`--plaintext contradicts the implicit TLS of ${match[1]}://`);
    security = 'none';
  }
  return { url: text, protocol: scheme.protocol, host, port, security };
}
