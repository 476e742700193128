/** `mailwire send submission://host --from A --to B [FILE]`: one message from a file or stdin. */
import { readFile } from 'node:fs/promises';
import { SmtpClient } from '@mailwire/smtp';
import { ArgvError, parseArgs } from '../args.js';
import { reportError } from '../errors-exit.js';
import { EXIT, EXIT_CODES_TEXT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { TARGET_OPTIONS, TARGET_USAGE, clientOptions, resolveTarget } from '../target.js';

export const SEND_USAGE = `Usage: mailwire send smtp[s]://host | submission://host --from ADDR --to ADDR[,ADDR...] [FILE | -]
  the message is read from FILE, or from stdin when FILE is - or missing
${TARGET_USAGE}
${EXIT_CODES_TEXT}`;

export interface SendIo extends CliIo {
  stdin?: AsyncIterable<Uint8Array>;
}

async function readAll(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export async function send(argv: readonly string[], io: SendIo): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, new Set([...TARGET_OPTIONS, 'from', 'to']), new Set(['help']));
  } catch (e) {
    io.err(`mailwire send: ${(e as ArgvError).message}\n${SEND_USAGE}`);
    return EXIT.usage;
  }
  if (args.options.has('help')) { io.out(SEND_USAGE); return EXIT.ok; }
  const from = args.options.get('from');
  const to = args.options.get('to');
  if (typeof from !== 'string' || typeof to !== 'string') {
    io.err(`mailwire send: --from and --to are needed\n${SEND_USAGE}`);
    return EXIT.usage;
  }
  const target = await resolveTarget('send', args, io, ['smtp:', 'smtps:', 'submission:']);
  if (typeof target === 'number') return target;
  const file = args.positionals[1];
  const message = file && file !== '-' ? await readFile(file) : await readAll(io.stdin ?? process.stdin);
  const client = new SmtpClient(clientOptions(target));
  try {
    await client.connect();
    const result = await client.send({ from, to: to.split(',') }, message);
    await client.quit();
    for (const r of result.rejected) io.err(`rejected ${r.recipient}: ${r.reply.code} ${r.reply.text}`);
    io.out(`sent to ${result.accepted.join(', ')}: ${result.reply.code} ${result.reply.text}`);
    return result.rejected.length === 0 ? EXIT.ok : EXIT.failed;
  } catch (error) {
    client.close();
    return reportError('send', error, io);
  }
}
