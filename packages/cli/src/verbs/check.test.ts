import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startTestServers, type TestServers } from '@mailwire/test-servers';
import { afterEach, describe, expect, it } from 'vitest';

import { EXIT } from '../exit-codes.js';
import { checkAgainstScript, recordingIo, runCheck } from '../checks/check.test-util.js';
import { check } from './check.js';

const USER = 'alice@example.com';

let servers: TestServers | undefined;
let dir: string | undefined;
afterEach(async () => {
  await servers?.stop();
  servers = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function start(personality: 'outlook' | 'gmail' | 'dovecot'): Promise<{ s: TestServers; ca: string }> {
  servers = await startTestServers({ personality, users: [{ user: USER, tokens: ['a-real-token'], password: 'pw' }] });
  dir = mkdtempSync(join(tmpdir(), 'mailwire-check-'));
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, servers.ca);
  return { s: servers, ca };
}

describe('mailwire check', () => {
  it.each(['outlook', 'gmail', 'dovecot'] as const)('%s: every IMAP, SMTP and POP3 check passes or is not offered, with its RFC', async (personality) => {
    const { s, ca } = await start(personality);
    for (const url of [`imap://127.0.0.1:${s.imap.port}`, `imaps://127.0.0.1:${s.imap.tlsPort}`, `submission://127.0.0.1:${s.smtp.port}`, `pop3://127.0.0.1:${s.pop3.port}`]) {
      const { code, byId } = await runCheck([url, '--ca', ca, '--user', USER]);
      const verdicts = Object.values(byId);
      // Dovecot treats a loopback client as secure and offers AUTH before STARTTLS: the one finding.
      const expected = personality === 'dovecot' && !url.startsWith('imaps') ? ['no-auth-before-tls'] : [];
      expect(verdicts.filter((c) => c.verdict === 'fail').map((c) => c.id), `${personality} ${url}`).toEqual(expected);
      expect(code).toBe(expected.length > 0 ? EXIT.failed : EXIT.ok);
      if (personality === 'dovecot') expect(byId['error-challenge']?.verdict).toBe('pass');
      expect(verdicts.every((c) => /^RFC \d+/.test(c.rfc))).toBe(true);
      expect(byId['greeting']?.verdict).toBe('pass');
      if (byId['oauth-mechanism']?.verdict === 'pass') expect(byId['invalid-token-refused']?.verdict).toBe('pass');
      if (!url.startsWith('imaps') && personality !== 'dovecot') expect(byId['no-auth-before-tls']?.verdict).toBe('pass');
    }
  });

  it('outlook IMAP: SASL-IR and XOAUTH2 pass; the table says so in words', async () => {
    const { s, ca } = await start('outlook');
    const { byId } = await runCheck([`imaps://127.0.0.1:${s.imap.tlsPort}`, '--ca', ca]);
    expect(byId['sasl-ir']?.verdict).toBe('pass');
    expect(byId['oauth-mechanism']?.detail).toContain('XOAUTH2');
    const io = recordingIo();
    expect(await check([`imaps://127.0.0.1:${s.imap.tlsPort}`, '--ca', ca], io)).toBe(EXIT.ok);
    expect(io.text()).toMatch(/pass {8}sasl-ir +RFC 4959/);
    expect(io.text()).toMatch(/check: \d+ pass, 0 fail, \d+ not offered/);
  });

  it('a connection that fails is reported with its cause and exit 3', async () => {
    const { s, ca } = await start('outlook');
    const io = recordingIo();
    expect(await check([`imaps://127.0.0.1:${s.imap.port}`, '--ca', ca], io)).toBe(EXIT.connection);
    expect(io.text()).toContain('does not answer TLS');
  });

  it('--help, and usage errors exit 2', async () => {
    const help = recordingIo();
    expect(await check(['--help'], help)).toBe(EXIT.ok);
    expect(help.text()).toContain('pass / fail / not offered');
    expect(await check(['ftp://x'], recordingIo())).toBe(EXIT.usage);
    expect(await check(['--nope'], recordingIo())).toBe(EXIT.usage);
  });
});

describe('mailwire check against scripted servers that break a check', () => {
  it('an IMAP server without IMAP4rev1 that takes any token: capability-version and invalid-token-refused fail, exit 1', async () => {
    const look = [
      '# source: hand-written: a server that does not say IMAP4rev1',
      'S: * OK [CAPABILITY SASL-IR AUTH=XOAUTH2] ready',
      'C: A1 LOGOUT',
      'S: * BYE bye',
      'S: A1 OK LOGOUT completed',
    ].join('\n');
    const login = [
      '# source: hand-written: a server that accepts a token that is not one',
      'S: * OK [CAPABILITY SASL-IR AUTH=XOAUTH2] ready',
      'C: A1 AUTHENTICATE XOAUTH2 dXNlcj1hbGljZUBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciBtYWlsd2lyZS1jaGVjay1pbnZhbGlkLXRva2VuAQE=',
      'S: A1 OK [CAPABILITY SASL-IR AUTH=XOAUTH2] done',
      'C: A2 LOGOUT',
      'S: * BYE bye',
      'S: A2 OK LOGOUT completed',
    ].join('\n');
    const { code, byId, replay } = await checkAgainstScript('imaps', [look, login], ['--user', USER]);
    expect(replay).toEqual({ ok: true });
    expect(byId['capability-version']?.verdict).toBe('fail');
    expect(byId['invalid-token-refused']).toMatchObject({ verdict: 'fail', rfc: 'RFC 7628 §3.2.2' });
    expect(byId['sasl-ir']?.verdict).toBe('pass');
    expect(code).toBe(EXIT.failed);
  });

  it('an SMTP server that offers AUTH before STARTTLS: no-auth-before-tls fails; PIPELINING not offered is no failure', async () => {
    const script = [
      '# source: hand-written: AUTH offered on the plaintext connection',
      'S: 220 mx.example.com ESMTP',
      'C: EHLO [127.0.0.1]',
      'S: 250-mx.example.com',
      'S: 250-AUTH PLAIN XOAUTH2',
      'S: 250 STARTTLS',
      'C: STARTTLS',
      'S: 220 go ahead',
      'C: EHLO [127.0.0.1]',
      'S: 250-mx.example.com',
      'S: 250 AUTH PLAIN XOAUTH2',
      'C: QUIT',
      'S: 221 bye',
    ].join('\n');
    const { code, byId, replay } = await checkAgainstScript('submission', [script]);
    expect(replay).toEqual({ ok: true });
    expect(byId['no-auth-before-tls']).toMatchObject({ verdict: 'fail', rfc: 'RFC 8314 §3' });
    expect(byId['starttls']?.verdict).toBe('pass');
    expect(byId['pipelining']?.verdict).toBe('not offered');
    expect(code).toBe(EXIT.failed);
  });
});

describe('mailwire check: the advertised checks that can fail, each against a scripted server that breaks it', () => {
  const imapLook = (capabilityLine: string) =>
    ['# source: hand-written', 'S: * OK ready', 'C: A1 CAPABILITY', `S: ${capabilityLine}`, 'S: A1 OK done', 'C: A2 LOGOUT', 'S: * BYE bye', 'S: A2 OK done'].join('\n');

  it.each([
    ['imaps', ['# source: hand-written: a server refusing service', 'S: * BYE too busy'].join('\n'), '* BYE too busy'],
    ['smtps', ['# source: hand-written', 'S: 554 5.3.2 no service here'].join('\n'), '554 5.3.2 no service here'],
    ['pop3s', ['# source: hand-written', 'S: -ERR maildrop busy'].join('\n'), '-ERR maildrop busy'],
  ] as const)('%s: a greeting that is not one fails "greeting", quoting it, though nothing else could be checked', async (scheme, script, said) => {
    const { byId, code } = await checkAgainstScript(scheme, [script]);
    expect(byId['greeting']).toMatchObject({ verdict: 'fail' });
    expect(byId['greeting']!.detail).toContain(JSON.stringify(said));
    expect(Object.keys(byId)).toEqual(['greeting']);
    expect(code).not.toBe(EXIT.ok);
  });

  it('IMAP: a capability that is not an atom fails capability-syntax, naming it', async () => {
    const { byId } = await checkAgainstScript('imaps', [imapLook('* CAPABILITY IMAP4rev1 AUTH=PLAIN X%Y')]);
    expect(byId['capability-syntax']).toMatchObject({ verdict: 'fail', detail: 'not atoms: "X%Y"' });
    expect(byId['capability-version']?.verdict).toBe('pass');
  });

  it('SMTP: an EHLO line that is not a keyword fails ehlo-keywords, naming it', async () => {
    const script = ['# source: hand-written', 'S: 220 mx ESMTP', 'C: EHLO [127.0.0.1]', 'S: 250-mx', 'S: 250-_X BAD', 'S: 250 8BITMIME', 'C: QUIT', 'S: 221 bye'].join('\n');
    const { byId } = await checkAgainstScript('smtps', [script]);
    expect(byId['ehlo-keywords']).toMatchObject({ verdict: 'fail', detail: 'not a keyword with parameters: "_X BAD"' });
  });

  it('POP3: a CAPA that lists nothing fails capa', async () => {
    const script = ['# source: hand-written', 'S: +OK ready', 'C: CAPA', 'S: +OK', 'S: .', 'C: QUIT', 'S: +OK bye'].join('\n');
    const { byId } = await checkAgainstScript('pop3s', [script]);
    expect(byId['capa']).toMatchObject({ verdict: 'fail', detail: 'CAPA listed nothing' });
  });
});
