/**
 * The hint the CLI shows when a server refuses an account's token: for an app-only
 * account (client credentials), the service principal steps an Exchange admin must take
 * (packages/sasl appOnlyTokenHint); otherwise the error's own hint.
 */
import type { AuthenticationError } from '@mailwire/errors';
import { appOnlyTokenHint, type SaslProtocol } from '@mailwire/sasl';
import type { Account } from './token-cache.js';

export function accountFailureHint(account: Pick<Account, 'flow' | 'user'>, error: AuthenticationError): string | undefined {
  const protocol = error.protocol;
  if (account.flow === 'app' && error.code === 'EAUTH' && (protocol === 'imap' || protocol === 'pop3' || protocol === 'smtp')) {
    return appOnlyTokenHint(protocol as SaslProtocol, account.user);
  }
  return error.hint;
}
