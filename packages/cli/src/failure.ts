/**
 * How a verb ends on an error: one clear message on stderr (the hint where there is one)
 * and the exit code the usage text documents for its kind.
 */
import { AuthenticationError, MailwireError, OAuthError, UsageError } from '@mailwire/errors';

import { CliUsageError } from './args.js';
import { EXIT, type CliIo } from './io.js';

export function exitCodeFor(error: unknown): number {
  if (error instanceof CliUsageError || error instanceof UsageError) return EXIT.usage;
  if (error instanceof AuthenticationError || error instanceof OAuthError) return EXIT.authentication;
  if (error instanceof MailwireError) return EXIT.connection;
  return EXIT.failure;
}

export function reportFailure(verb: string, error: unknown, io: CliIo, usage?: string): number {
  const code = exitCodeFor(error);
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`mailwire ${verb}: ${message}\n`);
  const hint = (error as { hint?: unknown }).hint;
  if (typeof hint === 'string' && hint !== '') io.stderr.write(`hint: ${hint}\n`);
  if (code === EXIT.usage && usage) io.stderr.write(usage);
  return code;
}
