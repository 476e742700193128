import type { ClientOptions } from '@mailwire/net';

/** Pop3Client options: the common ClientOptions (../shared/API.md) and POP3's own. */
export interface Pop3ClientOptions extends ClientOptions {
  /**
   * Default true: where CAPA offers PIPELINING (RFC 2449 §6.6), commands called while
   * others are in flight (`Promise.all(msgs.map((m) => pop.retr(m)))`) are written at once;
   * answers are still matched strictly in order.
   */
  pipelining?: boolean;
  /** `maxMessageBytes`: the most a retr()/top()/UIDL/LIST answer may hold in memory (default 64 MiB); retrStream() has no such limit. */
  limits?: { maxMessageBytes?: number };
}

/** The default `limits.maxMessageBytes`: as much as the IMAP client holds of one body. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** RFC 1939 / RFC 8314 ports: 995 for implicit TLS, 110 otherwise. */
export function defaultPort(security: ClientOptions['security']): number {
  return (security ?? 'tls') === 'tls' ? 995 : 110;
}
