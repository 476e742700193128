/**
 * @mailwire/smtp: the SMTP submission client (RFC 5321, RFC 6409) with STARTTLS, SASL
 * (XOAUTH2 two-step as Microsoft documents it), PIPELINING, DSN and streamed DATA.
 */
export { SmtpClient } from './smtp-client.js';
export type { SendResult } from './smtp-client.js';
export type { SmtpClientOptions, Envelope, DsnOptions } from './client-options.js';
export type { SmtpReply } from './reply.js';
export { replyOf, replyLine } from './reply.js';
export { parseEhlo, sizeLimit } from './ehlo.js';
export type { EhloCapabilities } from './ehlo.js';
export { SmtpSession } from './session.js';
export type { SmtpReplyReceived, SmtpStep, SmtpSessionState } from './session.js';
export type { MessageSource } from './message-source.js';
export { mailFrom, rcptTo, xtext } from './commands.js';
