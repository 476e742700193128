/** `mailwire idle imaps://host [--mailbox INBOX] [--count N]`: prints new mail as IDLE reports it. */
import { ImapClient } from '@mailwire/imap';
import { ArgvError, parseArgs } from '../args.js';
import { reportError } from '../errors-exit.js';
import { EXIT, EXIT_CODES_TEXT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { TARGET_OPTIONS, TARGET_USAGE, clientOptions, resolveTarget } from '../target.js';

export const IDLE_USAGE = `Usage: mailwire idle imap[s]://host [--mailbox INBOX] [--count N]
  prints one line per new message until interrupted (or after N new messages)
${TARGET_USAGE}
${EXIT_CODES_TEXT}`;

export interface IdleIo extends CliIo {
  /** Ends the IDLE (bin.ts passes one aborted by SIGINT). */
  signal?: AbortSignal;
  /** The redacted wire lines, for tests that wait for the server's "+ idling". */
  transcript?: (entry: { dir: 'C' | 'S'; line: string }) => void;
}

export async function idle(argv: readonly string[], io: IdleIo): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, new Set([...TARGET_OPTIONS, 'mailbox', 'count']), new Set(['help']));
  } catch (e) {
    io.err(`mailwire idle: ${(e as ArgvError).message}\n${IDLE_USAGE}`);
    return EXIT.usage;
  }
  if (args.options.has('help')) { io.out(IDLE_USAGE); return EXIT.ok; }
  const target = await resolveTarget('idle', args, io, ['imap:', 'imaps:']);
  if (typeof target === 'number') return target;
  const limit = args.options.has('count') ? Number(args.options.get('count')) : Infinity;
  const mailbox = String(args.options.get('mailbox') ?? 'INBOX');
  const client = new ImapClient({ ...clientOptions(target), ...(io.transcript ? { transcript: io.transcript } : {}) });
  const stop = new AbortController();
  io.signal?.addEventListener('abort', () => stop.abort(), { once: true });
  try {
    await client.connect();
    const box = await client.select(mailbox, { readOnly: true });
    io.out(`idling on ${mailbox}: ${box.exists} message(s)`);
    let known = box.exists;
    let seen = 0;
    await client.idle({
      signal: stop.signal,
      onUpdate: (u) => {
        if (u.type === 'exists' && u.count > known) {
          for (let n = known + 1; n <= u.count; n++) io.out(`new message ${n}`);
          seen += u.count - known;
          known = u.count;
          if (seen >= limit) stop.abort();
        } else if (u.type === 'expunge') {
          known--;
        }
      },
    });
    await client.logout();
    return EXIT.ok;
  } catch (error) {
    client.close();
    return reportError('idle', error, io);
  }
}
