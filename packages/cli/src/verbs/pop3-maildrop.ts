/**
 * `list` and `fetch` on pop3:// and pop3s:// URLs: the maildrop read without changing it.
 * list prints each message's number, size and UIDL; fetch streams whole messages (RETR)
 * or their headers (TOP n 0) to stdout or one file per message (UIDL.eml, the number where
 * the server has no UIDL). Nothing is ever deleted: the session ends with QUIT and no DELE.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { Pop3Client } from '@mailwire/pop3';

import { reportError } from '../errors-exit.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { messageNumbers } from '../message-set.js';
import { clientOptions, type Target } from '../target.js';
import type { FetchIo } from './fetch.js';

export async function listPop3(target: Target, io: CliIo): Promise<number> {
  const client = new Pop3Client(clientOptions(target));
  try {
    await client.connect();
    const sizes = await client.list();
    const uids = client.capabilities.has('UIDL') ? new Map((await client.uidl()).map((u) => [u.msg, u.uid])) : new Map<number, string>();
    for (const { msg, size } of sizes) io.out(`${msg}\t${size}\t${uids.get(msg) ?? ''}`);
    await client.quit();
    return EXIT.ok;
  } catch (error) {
    client.close();
    return reportError('list', error, io);
  }
}

export async function fetchPop3(target: Target, options: { set: string; headers: boolean; out?: string }, io: FetchIo): Promise<number> {
  const client = new Pop3Client(clientOptions(target));
  try {
    await client.connect();
    const { count } = await client.stat();
    const numbers = messageNumbers(options.set, count);
    const uids = options.out !== undefined && client.capabilities.has('UIDL') ? new Map((await client.uidl()).map((u) => [u.msg, u.uid])) : new Map<number, string>();
    if (options.out !== undefined) await mkdir(options.out, { recursive: true });
    const write = io.write ?? ((bytes: Uint8Array) => process.stdout.write(bytes));
    let done = 0;
    for (const n of numbers) {
      const sink = options.out === undefined ? undefined : createWriteStream(join(options.out, `${fileName(uids.get(n)) ?? n}.eml`));
      const put = async (bytes: Uint8Array) => {
        if (!sink) return write(bytes);
        if (!sink.write(bytes)) await once(sink, 'drain');
      };
      try {
        if (options.headers) await put(await client.top(n, 0));
        else for await (const chunk of client.retrStream(n)) await put(chunk);
      } finally {
        if (sink) await new Promise<void>((resolve, reject) => sink.end((e?: Error | null) => (e ? reject(e) : resolve())));
      }
      io.progress?.(++done, numbers.length);
    }
    await client.quit();
    return EXIT.ok;
  } catch (error) {
    client.close();
    return reportError('fetch', error, io);
  }
}

/** A UIDL as a file name, where it is safe as one (RFC 1939 allows 0x21-0x7E, which includes "/"). */
function fileName(uid: string | undefined): string | undefined {
  return uid !== undefined && /^[A-Za-z0-9._+=-]+$/.test(uid) && !uid.startsWith('.') ? uid : undefined;
}
