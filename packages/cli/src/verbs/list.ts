/**
 * `mailwire list imaps://host`: the mailboxes, one a line (attributes after a tab). On
 * pop3:// and pop3s://, the maildrop's messages: number, size and UIDL, tab-separated.
 */
import { ImapClient } from '@mailwire/imap';
import { ArgvError, parseArgs } from '../args.js';
import { reportError } from '../errors-exit.js';
import { EXIT, EXIT_CODES_TEXT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { TARGET_OPTIONS, TARGET_USAGE, clientOptions, resolveTarget } from '../target.js';
import { listPop3 } from './pop3-maildrop.js';

export const LIST_USAGE = `Usage: mailwire list imap[s]://host[:port] [--pattern P]
       mailwire list pop3[s]://host[:port]
  IMAP: each mailbox and its attributes; POP3: each message's number, size and UIDL (tab-separated)
${TARGET_USAGE}
${EXIT_CODES_TEXT}`;

export async function list(argv: readonly string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, new Set([...TARGET_OPTIONS, 'pattern']), new Set(['help']));
  } catch (e) {
    io.err(`mailwire list: ${(e as ArgvError).message}\n${LIST_USAGE}`);
    return EXIT.usage;
  }
  if (args.options.has('help')) { io.out(LIST_USAGE); return EXIT.ok; }
  const target = await resolveTarget('list', args, io, ['imap:', 'imaps:', 'pop3:', 'pop3s:']);
  if (typeof target === 'number') return target;
  if (target.protocol === 'pop3') {
    if (args.options.has('pattern')) {
      io.err(`mailwire list: POP3 has no mailboxes: --pattern is for IMAP\n${LIST_USAGE}`);
      return EXIT.usage;
    }
    return listPop3(target, io);
  }
  const client = new ImapClient(clientOptions(target));
  try {
    await client.connect();
    const pattern = args.options.get('pattern');
    for (const entry of await client.list('', typeof pattern === 'string' ? pattern : '*')) {
      io.out(`${entry.name}\t${entry.attributes.join(' ')}`);
    }
    await client.logout();
    return EXIT.ok;
  } catch (error) {
    client.close();
    return reportError('list', error, io);
  }
}
