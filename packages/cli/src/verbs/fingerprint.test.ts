import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startTestServers, type TestServers } from '@mailwire/test-servers';
import { afterEach, describe, expect, it } from 'vitest';

import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { probe, type ProbeReport } from './probe.js';

const USER = 'alice@example.com';
const TOKEN = `ya29.${'g'.repeat(1195)}`;

let servers: TestServers | undefined;
let dir: string | undefined;
afterEach(async () => {
  await servers?.stop();
  servers = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function fingerprintOf(personality: 'outlook' | 'gmail', url: (s: TestServers) => string): Promise<ProbeReport> {
  servers = await startTestServers({ personality, users: [{ user: USER, tokens: [TOKEN] }] });
  dir = mkdtempSync(join(tmpdir(), 'mailwire-fp-'));
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, servers.ca);
  const out: string[] = [];
  const io: CliIo = { env: { T: TOKEN }, out: (l) => out.push(l), err: (l) => out.push(l) };
  expect(await probe([url(servers), '--ca', ca, '--user', USER, '--token-env', 'T', '--fingerprint', '--json'], io)).toBe(EXIT.ok);
  const report = JSON.parse(out.join('\n')) as ProbeReport;
  expect(out.join('\n')).not.toContain(TOKEN.slice(0, 40));
  return report;
}

describe('mailwire probe --fingerprint', () => {
  it('gmail SMTP: the forced one-line form of a long token is refused as too long, two steps accepted, the error challenge sent', async () => {
    const { fingerprint } = await fingerprintOf('gmail', (s) => `smtps://127.0.0.1:${s.smtp.tlsPort}`);
    expect(fingerprint?.oneLine).toMatch(/^refused \(EAUTH: 555 5\.5\.2 Syntax error, command line too long/);
    expect(fingerprint?.twoStep).toBe('accepted');
    expect(fingerprint?.invalidToken).toBe('refused after the JSON error challenge {"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}');
    // The test server reads SMTP command lines of up to 1,000 octets before the CRLF.
    expect(fingerprint?.longestLineOctets).toBe(1002);
    expect(fingerprint?.longestLine).toMatch(/^1,002 octets, CRLF included \(\d+ connections\)$/);
  });

  it('outlook IMAP: both forms accepted, a bad token refused without an error challenge, LITERAL+ offered', async () => {
    const { fingerprint } = await fingerprintOf('outlook', (s) => `imaps://127.0.0.1:${s.imap.tlsPort}`);
    expect(fingerprint).toMatchObject({
      oneLine: 'accepted',
      twoStep: 'accepted',
      invalidToken: 'refused without an error challenge (AUTHENTICATE failed.)',
      literals: 'LITERAL+',
      literalsOnWire: {
        nonSync: 'pass: {8+} and its octets in one write (LITERAL+; ID after login): answered OK, no "+"',
        minusLimit: 'not offered: LITERAL+ is offered: non-synchronizing literals of any size, no LITERAL- limit',
      },
      // The test server reads IMAP command lines of up to 65,536 octets before the CRLF (its maxLineBytes).
      longestLineOctets: 65538,
    });
    expect(fingerprint?.longestLine).toMatch(/^65,538 octets, CRLF included \(\d+ connections\)$/);
  });
});

describe('mailwire probe --fingerprint, POP3', () => {
  it('outlook POP3: the longest USER line the test server reads whole, found by doubling and halving', async () => {
    const { fingerprint } = await fingerprintOf('outlook', (s) => `pop3s://127.0.0.1:${s.pop3.tlsPort}`);
    // The test server reads POP3 command lines of up to 8,192 octets before the CRLF.
    expect(fingerprint?.longestLineOctets).toBe(8194);
    expect(fingerprint?.longestLine).toMatch(/^8,194 octets, CRLF included \(\d+ connections\)$/);
    expect(fingerprint?.twoStep).toBe('accepted');
  });
});

describe('mailwire probe --fingerprint --plaintext', () => {
  it('IMAP: the longest line is not measured, since measuring it logs in and no token goes without TLS', async () => {
    servers = await startTestServers({ personality: 'dovecot', users: [{ user: USER, tokens: [TOKEN] }] });
    const out: string[] = [];
    const io: CliIo = { env: { T: TOKEN }, out: (l) => out.push(l), err: (l) => out.push(l) };
    await probe([`imap://127.0.0.1:${servers.imap.port}`, '--plaintext', '--user', USER, '--token-env', 'T', '--fingerprint', '--json'], io);
    const { fingerprint } = JSON.parse(out.join('\n')) as ProbeReport;
    expect(fingerprint?.longestLine).toBe('not measured: --plaintext: mailwire never sends a token without TLS');
    expect(fingerprint?.longestLineOctets).toBeUndefined();
  });
});
