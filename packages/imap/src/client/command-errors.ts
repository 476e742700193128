/**
 * The errors a failed IMAP command becomes: CommandError (ECOMMAND) with the server's
 * status, response code and words, and the Exchange case that is really an
 * authentication problem (`BAD User is authenticated but not connected`).
 */
import { AuthenticationError, CommandError } from '@mailwire/errors';
import type { MailwireError } from '@mailwire/errors';

import type { CommandOutcome } from './connection.js';
import { referralMessage, referralOf } from './referral.js';

/**
 * Exchange Online answers the first command after a successful AUTHENTICATE with this
 * when the mailbox does not exist or the identity has no rights to it — typical for a
 * shared mailbox without FullAccess. Fixture: fixtures/imap/sessions/exchange-not-connected.txt.
 */
export const EXCHANGE_NOT_CONNECTED = /User is authenticated but not connected/i;

export const NOT_CONNECTED_HINT =
  'Exchange accepted the token but could not open the mailbox: the mailbox named in user= does not exist, or the signed-in account has no rights to it. For a shared mailbox, user= must be the shared address and the account needs FullAccess on it (Add-MailboxPermission); the token must carry https://outlook.office.com/IMAP.AccessAsUser.All.';

/** The error for a command that got NO or BAD. */
export function commandError(outcome: CommandOutcome, notConnectedQuirk = true): MailwireError {
  const { response, handle } = outcome;
  const serverText = `${response.tag ?? '*'} ${response.status}${response.code ? ` [${response.code.name}]` : ''} ${response.text}`;
  if (notConnectedQuirk && response.status === 'BAD' && EXCHANGE_NOT_CONNECTED.test(response.text)) {
    return new AuthenticationError('EAUTH', `Exchange accepted the login but cannot open the mailbox: ${response.text}`, {
      protocol: 'imap',
      command: handle.text,
      serverText,
      hint: NOT_CONNECTED_HINT,
    });
  }
  // A mailbox referral (RFC 2193) is not followed; the message says so instead of passing on the server's "try ...".
  const referred = referralOf(response.code) !== undefined;
  const message = referred
    ? referralMessage(`IMAP ${handle.name} failed: ${response.status} [REFERRAL]`, 'RFC 2193')
    : `IMAP ${handle.name} failed: ${response.status}${response.code ? ` [${response.code.name}]` : ''} ${response.text}`;
  return new CommandError(message, {
    protocol: 'imap',
    command: handle.text,
    serverText,
    status: response.status,
    ...(response.code ? { responseCode: response.code.name } : {}),
  });
}
