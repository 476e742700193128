/** The exit code and the one-paragraph report for an error a verb caught. */
import { AuthenticationError, ConnectionError, MailwireError, SecurityError, TimeoutError } from '@mailwire/errors';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';

export function exitFor(error: unknown): number {
  if (error instanceof AuthenticationError) return EXIT.auth;
  if (error instanceof ConnectionError || error instanceof SecurityError || error instanceof TimeoutError) return EXIT.connection;
  return EXIT.protocol;
}

export function reportError(verb: string, error: unknown, io: CliIo): number {
  const e = error as MailwireError & { hint?: string };
  io.err(`mailwire ${verb}: ${e.code ?? 'ERROR'}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
  return exitFor(error);
}
