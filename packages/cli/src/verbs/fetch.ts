/**
 * `mailwire fetch imaps://host [--mailbox M] [--set 1:*] [--headers] [--out DIR]`: headers or
 * whole messages, to stdout or one file per message (UID.eml); a progress bar on a TTY stderr.
 * On pop3:// and pop3s:// the same, from the maildrop (see pop3-maildrop.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImapClient } from '@mailwire/imap';
import { ArgvError, parseArgs } from '../args.js';
import { reportError } from '../errors-exit.js';
import { EXIT, EXIT_CODES_TEXT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { messageNumbers } from '../message-set.js';
import { TARGET_OPTIONS, TARGET_USAGE, clientOptions, resolveTarget } from '../target.js';
import { fetchPop3 } from './pop3-maildrop.js';

export const FETCH_USAGE = `Usage: mailwire fetch imap[s]://host [--mailbox INBOX] [--set 1:*] [--headers] [--out DIR]
       mailwire fetch pop3[s]://host [--set 1:*] [--headers] [--out DIR]
  --set      message numbers: 1:*, 3, 2:5,9 (IMAP sequence-set form, for both protocols)
  --headers  only the header section (POP3: TOP n 0); --out DIR  one file per message
             (IMAP: UID.eml; POP3: UIDL.eml, or the number) instead of stdout
  POP3 is read only: no message is deleted.
${TARGET_USAGE}
${EXIT_CODES_TEXT}`;

export interface FetchIo extends CliIo {
  /** Raw bytes to stdout (messages are not text lines). */
  write?: (bytes: Uint8Array) => void;
  /** A progress line redrawn in place, when stderr is a terminal. */
  progress?: (done: number, total: number) => void;
}

export async function fetch(argv: readonly string[], io: FetchIo): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, new Set([...TARGET_OPTIONS, 'mailbox', 'set', 'out']), new Set(['help', 'headers']));
  } catch (e) {
    io.err(`mailwire fetch: ${(e as ArgvError).message}\n${FETCH_USAGE}`);
    return EXIT.usage;
  }
  if (args.options.has('help')) { io.out(FETCH_USAGE); return EXIT.ok; }
  const target = await resolveTarget('fetch', args, io, ['imap:', 'imaps:', 'pop3:', 'pop3s:']);
  if (typeof target === 'number') return target;
  const mailbox = String(args.options.get('mailbox') ?? 'INBOX');
  const set = String(args.options.get('set') ?? '1:*');
  const out = args.options.get('out');
  if (target.protocol === 'pop3') {
    try {
      if (args.options.has('mailbox')) throw new ArgvError('POP3 has one maildrop: --mailbox is for IMAP');
      messageNumbers(set, 0);
    } catch (e) {
      io.err(`mailwire fetch: ${(e as ArgvError).message}\n${FETCH_USAGE}`);
      return EXIT.usage;
    }
    return fetchPop3(target, { set, headers: args.options.has('headers'), ...(typeof out === 'string' ? { out } : {}) }, io);
  }
  const section = args.options.has('headers') ? 'HEADER' : '';
  const key = `BODY[${section}]`;
  const write = io.write ?? ((bytes: Uint8Array) => process.stdout.write(bytes));
  const client = new ImapClient(clientOptions(target));
  try {
    await client.connect();
    const box = await client.select(mailbox, { readOnly: true });
    if (box.exists === 0) {
      await client.logout();
      return EXIT.ok;
    }
    if (typeof out === 'string') await mkdir(out, { recursive: true });
    let done = 0;
    for await (const m of client.fetch(set, ['UID', `BODY.PEEK[${section}]`])) {
      const bytes = m.body?.[key] ?? new Uint8Array();
      if (typeof out === 'string') await writeFile(join(out, `${m.uid ?? m.seq}.eml`), bytes);
      else write(bytes);
      io.progress?.(++done, box.exists);
    }
    await client.logout();
    return EXIT.ok;
  } catch (error) {
    client.close();
    return reportError('fetch', error, io);
  }
}

/** The progress bar bin.ts installs when stderr is a terminal. */
export function terminalProgress(done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / Math.max(total, 1)) * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done >= total ? '\n' : ''}`);
}
