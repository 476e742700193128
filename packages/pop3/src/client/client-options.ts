import type { ClientOptions } from '@mailwire/net';

/** Pop3Client options: the common ClientOptions (../shared/API.md) and POP3's own. */
export interface Pop3ClientOptions extends ClientOptions {
  /**
   * Default true: where CAPA offers PIPELINING (RFC 2449 §6.6), commands called while
   * others are in flight (`Promise.all(msgs.map((m) => pop.retr(m)))`) are written at once;
   * answers are still matched strictly in order.
   */
  pipelining?: boolean;
  /**
   * The largest answer held in memory (retr, top, list, uidl), in bytes; past it the client
   * fails with EPROTOCOL and closes. Default 256 MiB. `retrStream` has no limit: it holds nothing.
   */
  maxResponseBytes?: number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/** RFC 1939 / RFC 8314 ports: 995 for implicit TLS, 110 otherwise. */
export function defaultPort(security: ClientOptions['security']): number {
  return (security ?? 'tls') === 'tls' ? 995 : 110;
}
