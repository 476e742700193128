/** @mailwire/pop3: a POP3 client (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH). */
export { Pop3Client } from './client/pop3-client.js';
export type { Pop3ClientOptions } from './client/client-options.js';
export { Pop3Session } from './session/session.js';
export type { Pop3Event, Pop3SessionOptions, Pop3State } from './session/session.js';
export { parseStatus, KNOWN_RESP_CODES } from './codec/status.js';
export type { Pop3Status } from './codec/status.js';
export { commandLine, encodeCommand, encodeLine } from './codec/command.js';
export { parseCapa } from './client/capabilities.js';
