import type { ClientOptions } from '@mailwire/net';

/** Pop3Client options: the common ClientOptions (../shared/API.md). */
export type Pop3ClientOptions = ClientOptions;

/** RFC 1939 / RFC 8314 ports: 995 for implicit TLS, 110 otherwise. */
export function defaultPort(security: ClientOptions['security']): number {
  return (security ?? 'tls') === 'tls' ? 995 : 110;
}
