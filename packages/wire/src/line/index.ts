/**
 * Line framing for POP3 and SMTP: CRLF lines, SMTP multi-line replies, POP3 responses with
 * streamed dot-unstuffed bodies, and streaming dot-stuffing for sending DATA and bodies.
 */
export { LineDecoder, DEFAULT_MAX_LINE_BYTES } from './line-decoder.js';
export type { BareLf, LineDecoderOptions, LineRead } from './line-decoder.js';
export { SmtpReplyDecoder, DEFAULT_MAX_REPLY_LINES } from './smtp-reply-decoder.js';
export type { SmtpReplyFrame, SmtpReplyDecoderOptions } from './smtp-reply-decoder.js';
export { Pop3ResponseDecoder } from './pop3-response-decoder.js';
export type { Pop3Frame, Pop3ResponseShape, Pop3ResponseDecoderOptions } from './pop3-response-decoder.js';
export { DotUnstuffer, dotUnstuff } from './dot-unstuffer.js';
export type { DotUnstufferOptions, DotUnstuffResult } from './dot-unstuffer.js';
export { DotStuffer, dotStuff } from './dot-stuffer.js';
export { BodyCollector } from './body-collector.js';
export type { BodyCollectorOptions } from './body-collector.js';
