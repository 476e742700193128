import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PersonalityName } from '../personalities/index.js';
import { startScriptedServer } from '../scripted/scripted-server.js';
import { parseTranscript } from '@mailwire/transcript';
import { fixtureServers, recordPersonalitySessions } from './personality-sessions.js';
import { PERSONALITY_FIXTURES } from './record-fixtures.js';
import { replayAsClient } from './replay-as-client.js';

const NAMES: PersonalityName[] = ['outlook', 'gmail', 'dovecot'];
const SESSIONS = ['imap.txt', 'imap-auth-failed.txt', 'pop3.txt', 'smtp.txt', 'smtp-auth-failed.txt'];
const fixture = (p: string, s: string) => readFileSync(`${PERSONALITY_FIXTURES}${p}/${s}`, 'latin1');
const implicit = (text: string) => parseTranscript(text).headers['connection'] === 'implicit TLS';

describe.each(NAMES)('personality fixtures: %s', (personality) => {
  it('the live servers still produce exactly the recorded bytes', async () => {
    const sessions = await recordPersonalitySessions(personality);
    expect(sessions.map((s) => s.name)).toEqual(SESSIONS);
    for (const s of sessions) expect(s.text, `${personality}/${s.name}`).toBe(fixture(personality, s.name));
  });

  it.each(SESSIONS)('%s replays as the client against the live servers', async (name) => {
    const text = fixture(personality, name);
    const t = parseTranscript(text);
    const servers = await fixtureServers(personality);
    const pair = servers[t.headers['protocol'] as 'imap' | 'pop3' | 'smtp'];
    const result = await replayAsClient({ transcript: text, port: implicit(text) ? pair.tlsPort : pair.port, tls: implicit(text), ca: servers.ca });
    await servers.stop();
    expect(result).toEqual({ ok: true });
  });

  it.each(SESSIONS)('%s replays as the server (startScriptedServer) against replayAsClient', async (name) => {
    const text = fixture(personality, name);
    const server = await startScriptedServer({ transcript: text, tls: implicit(text) });
    const client = await replayAsClient({ transcript: text, port: server.port, tls: implicit(text), ca: server.ca });
    expect(client).toEqual({ ok: true });
    expect(await server.result).toEqual({ ok: true });
    await server.close();
  });
});

describe('replayAsClient', () => {
  it('reports the transcript line of the first server byte that differs', async () => {
    const text = fixture('outlook', 'smtp-auth-failed.txt').replace('535 5.7.3 Authentication unsuccessful', '535 5.7.3 Authentication refused');
    const servers = await fixtureServers('outlook');
    const result = await replayAsClient({ transcript: text, port: servers.smtp.tlsPort, tls: true, ca: servers.ca });
    await servers.stop();
    const lineNo = text.split('\n').findIndex((l) => l.includes('Authentication refused')) + 1;
    expect(result).toEqual({
      ok: false,
      mismatch: { line: lineNo, expected: '535 5.7.3 Authentication refused [SN2PR00CA0018.namprd00.prod.outlook.com]\r\n', actual: '535 5.7.3 Authentication unsuccessful [SN2PR00CA0018.namprd00.prod.outlook.com]\r\n' },
    });
  });

  it('calls a silent server a mismatch instead of hanging', async () => {
    const server = await startScriptedServer({ transcript: 'S: * OK hi\nC: a NOOP\nS: a OK done\n', faults: { stallAfterBytes: 11 } });
    const result = await replayAsClient({ transcript: 'S: * OK hi\nC: a NOOP\nS: a OK done\n', port: server.port, timeoutMs: 200 });
    expect(result).toEqual({ ok: false, mismatch: { line: 3, expected: 'a OK done\r\n', actual: '<nothing for 200 ms>' } });
    await server.close();
  });
});
