/**
 * `mailwire fetch imaps://host [--mailbox M] [--set 1:*] [--headers] [--out DIR]`: headers or
 * whole messages, to stdout or one file per message (UID.eml); a progress bar on a TTY stderr.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImapClient } from '@mailwire/imap';
import { ArgvError, parseArgs } from '../args.js';
import { reportError } from '../errors-exit.js';
import { EXIT, EXIT_CODES_TEXT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { TARGET_OPTIONS, TARGET_USAGE, clientOptions, resolveTarget } from '../target.js';

export const FETCH_USAGE = `Usage: mailwire fetch imap[s]://host [--mailbox INBOX] [--set 1:*] [--headers] [--out DIR]
  --headers  only the header section; --out DIR  one file per message (UID.eml) instead of stdout
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
  const target = await resolveTarget('fetch', args, io, ['imap:', 'imaps:']);
  if (typeof target === 'number') return target;
  const mailbox = String(args.options.get('mailbox') ?? 'INBOX');
  const set = String(args.options.get('set') ?? '1:*');
  const out = args.options.get('out');
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
