/**
 * One way to open a client of each protocol, so that a security class can be tested
 * against IMAP, POP3 and SMTP by the same table.
 */
import type { ConnectionOptions } from 'node:tls';
import { ImapClient } from '@mailwire/imap';
import { Pop3Client } from '@mailwire/pop3';
import { SmtpClient } from '@mailwire/smtp';
import type { Security, TranscriptEntry } from '@mailwire/net';

export type Protocol = 'imap' | 'pop3' | 'smtp';
export const PROTOCOLS: readonly Protocol[] = ['imap', 'pop3', 'smtp'];

export interface OpenOptions {
  host: string;
  port: number;
  security: Security;
  tls?: ConnectionOptions;
  auth?: Record<string, unknown>;
  timeoutMs?: number;
  transcript?: (entry: TranscriptEntry) => void;
  allowInsecureAuth?: boolean;
  [key: string]: unknown;
}

export interface AnyClient {
  connect(): Promise<void>;
  close(): void;
}

export function makeClient(protocol: Protocol, options: OpenOptions): AnyClient {
  const o = { timeoutMs: 5000, ...options } as never;
  if (protocol === 'imap') return new ImapClient(o);
  if (protocol === 'pop3') return new Pop3Client(o);
  return new SmtpClient(o);
}
