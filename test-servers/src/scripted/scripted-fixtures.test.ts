import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { replayAsClient } from '../replay/replay-as-client.js';
import { dial } from '../net/dial.js';
import { parseTranscript, sideBytes } from '@mailwire/transcript';
import { startScriptedServer } from './scripted-server.js';

const DIR = fileURLToPath(new URL('../../../fixtures/scripted/', import.meta.url));
const files = readdirSync(DIR).filter((f) => f.endsWith('.txt'));

describe('fixtures/scripted', () => {
  it('holds the hand-written hostile-server scripts', () => {
    expect(files.sort()).toEqual(['imap-close-mid-literal.txt', 'imap-hostile-literal.txt', 'imap-starttls-injection.txt', 'pop3-bare-lf-body.txt']);
  });

  it.each(files.filter((f) => f !== 'imap-starttls-injection.txt'))('%s: the scripted server sends exactly its server side to a client that follows the script', async (name) => {
    const text = readFileSync(`${DIR}${name}`, 'latin1');
    const server = await startScriptedServer({ transcript: text });
    expect(await replayAsClient({ transcript: text, port: server.port })).toEqual({ ok: true });
    expect(await server.result).toEqual({ ok: true });
    await server.close();
  });

  it('imap-starttls-injection.txt: the injected line arrives with the go-ahead, before any TLS', async () => {
    const text = readFileSync(`${DIR}imap-starttls-injection.txt`, 'latin1');
    const server = await startScriptedServer({ transcript: text });
    const c = await dial({ port: server.port });
    await c.readLine(1000);
    await c.write('t1 STARTTLS\r\n');
    const expected = Buffer.from(sideBytes(parseTranscript(text), 'S')).toString('latin1').split('\r\n').slice(1).join('\r\n').replace('a1 OK', 't1 OK');
    const got = await c.readBytes(expected.length);
    expect(got?.toString('latin1')).toBe(expected);
    c.destroy();
    await server.close();
  });
});
