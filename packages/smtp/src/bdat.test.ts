/**
 * CHUNKING (RFC 3030): BDAT with counted, CRLF-normalized, unstuffed chunks, and the
 * normalizer behind it at any chunking.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';

import { startScriptedServer } from '@mailwire/test-servers';
import type { ScriptedServer } from '@mailwire/test-servers';

import { splitAt } from '../../wire/src/chunking.test-util.js';
import { CrlfNormalizer } from './line-ends.js';
import { SmtpClient } from './smtp-client.js';

const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

function expectedNormal(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString('latin1').replace(/\r\n|\r|\n/g, '\r\n');
  return text === '' || text.endsWith('\r\n') ? text : `${text}\r\n`;
}

describe('CrlfNormalizer', () => {
  it('makes every line end CRLF and ends the last line, however the input is split (property)', () => {
    const bytes = fc.array(fc.constantFrom(0x0d, 0x0a, 0x2e, 0x61), { maxLength: 60 }).map((a) => Uint8Array.from(a));
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(60), { maxLength: 6 }), (input, points) => {
        const n = new CrlfNormalizer();
        const out = splitAt(input, points).map((chunk) => n.push(chunk));
        out.push(n.end());
        expect(Buffer.concat(out).toString('latin1')).toBe(expectedNormal(input));
      }),
      { numRuns: 500 },
    );
  });
});

const prologue = ['# protocol: smtp', 'S: 220 mx ESMTP', 'C: EHLO client.example', 'S: 250-mx', 'S: 250-PIPELINING', 'S: 250 CHUNKING'];

async function serve(lines: string[]) {
  const server = await startScriptedServer({ transcript: [...prologue, ...lines, ''].join('\n') });
  servers.push(server);
  const client = new SmtpClient({ host: server.host, port: server.port, security: 'none', name: 'client.example', timeoutMs: 3000, bdatChunkBytes: 8 });
  await client.connect();
  return { server, client };
}

describe('SmtpClient with CHUNKING', () => {
  it('a message in memory: MAIL and RCPT pipelined, then one BDAT n LAST with the bytes, not dot-stuffed, bare LF made CRLF', async () => {
    const { server, client } = await serve([
      'C: MAIL FROM:<a@example.com>', 'C: RCPT TO:<b@example.com>', 'S: 250 ok', 'S: 250 ok',
      'C: BDAT 21 LAST', 'C: Subject: x', 'C:', 'C: .body',
      'S: 250 2.0.0 queued',
      'C: QUIT', 'S: 221 bye',
    ]);
    const result = await client.send({ from: 'a@example.com', to: ['b@example.com'] }, 'Subject: x\n\n.body');
    expect(result.reply).toEqual({ code: 250, enhancedCode: '2.0.0', text: 'queued' });
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
  });

  it('a streamed message goes in counted chunks, each acknowledged, the last marked LAST', async () => {
    const { server, client } = await serve([
      'C: MAIL FROM:<a@example.com>', 'C: RCPT TO:<b@example.com>', 'S: 250 ok', 'S: 250 ok',
      'C= "BDAT 12\\r\\nSubject: x\\r\\n"', 'S: 250 2.0.0 12 octets',
      'C= "BDAT 11\\r\\n\\r\\nbody line"', 'S: 250 2.0.0 11 octets',
      'C= "BDAT 2 LAST\\r\\n\\r\\n"', 'S: 250 2.0.0 queued',
      'C: QUIT', 'S: 221 bye',
    ]);
    async function* source() {
      yield Buffer.from('Subject: x\r\n');
      yield Buffer.from('\r\nbody line');
    }
    expect((await client.send({ from: 'a@example.com', to: ['b@example.com'] }, source())).reply.text).toBe('queued');
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
  });

  it('a refused LAST chunk is ECOMMAND step BDAT, followed by RSET', async () => {
    const { server, client } = await serve([
      'C: MAIL FROM:<a@example.com>', 'C: RCPT TO:<b@example.com>', 'S: 250 ok', 'S: 250 ok',
      'C: BDAT 5 LAST', 'C: abc', 'S: 554 5.6.0 rejected',
      'C: RSET', 'S: 250 ok',
      'C: QUIT', 'S: 221 bye',
    ]);
    await expect(client.send({ from: 'a@example.com', to: ['b@example.com'] }, 'abc')).rejects.toMatchObject({ code: 'ECOMMAND', step: 'BDAT', replyCode: 554 });
    await client.quit();
    expect(await server.result).toEqual({ ok: true });
  });
});
