export type { AccessTokenSource, ClientAuth, ClientOptions, Security, TranscriptEntry } from './client-options.js';
export { DEFAULT_TIMEOUT_MS } from './client-options.js';
export { connect, connectClient } from './connect.js';
export type { ClientConnection, ConnectOptions } from './connect.js';
export { MIN_TLS_VERSION, Transport } from './transport.js';
export type { TlsDetails, TransportOptions, WriteOptions } from './transport.js';
export { REDACTED, TranscriptRecorder } from './transcript.js';
export type { TranscriptSink } from './transcript.js';
export { Deflater } from './deflate.js';
