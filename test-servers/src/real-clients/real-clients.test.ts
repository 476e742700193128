/**
 * Real clients against the test servers: curl (imap/imaps, pop3/pop3s, smtp/smtps with
 * --oauth2-bearer, --ssl-reqd for STARTTLS, --cacert with the test CA) and Python's
 * imaplib, poplib and smtplib with XOAUTH2 — for every personality, over STARTTLS and
 * implicit TLS; each sends a message by SMTP and reads it back over IMAP and POP3.
 * A missing client fails the test with the Debian package to install.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonalityName } from '../personalities/index.js';
import { startTestServers, type TestServers } from '../test-servers.js';

const USER = 'alice@example.com';
const TOKEN = 'ya29.test-token-for-real-clients';
const PYTHON_SCRIPT = fileURLToPath(new URL('./python-clients.py', import.meta.url));

function requireTool(command: string, pkg: string): void {
  const r = spawnSync(command, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`${command} is needed by the real-client tests and was not found: apt-get install -y ${pkg}`);
}

/** Runs a child process without blocking the event loop: the servers under test live in this process. */
function run(command: string, args: string[], stdin?: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('latin1').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('latin1').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => resolve({ status: null, stdout, stderr: stderr + String(e) }));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

function curl(args: string[], stdin?: string) {
  return run('curl', ['-sS', '-v', '--max-time', '10', ...args], stdin);
}

let dir: string;
let caFile: string;
beforeAll(() => {
  requireTool('curl', 'curl');
  requireTool('python3', 'python3');
  dir = mkdtempSync(join(tmpdir(), 'mailwire-real-clients-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each<PersonalityName>(['outlook', 'gmail', 'dovecot'])('real clients against the %s personality', (personality) => {
  let s: TestServers;
  // curl prefers OAUTHBEARER where offered (Dovecot); Outlook and Gmail offer only XOAUTH2.
  const curlMech = personality === 'dovecot' ? 'OAUTHBEARER' : 'XOAUTH2';
  beforeAll(async () => {
    s = await startTestServers({ personality, users: [{ user: USER, password: 'pw', tokens: [TOKEN] }] });
    caFile = join(dir, `${personality}-ca.pem`);
    writeFileSync(caFile, s.ca);
  });
  afterAll(() => s.stop());

  it.each(['starttls', 'tls'] as const)(`curl sends with ${curlMech} over SMTP (%s) and reads the message back over IMAP and POP3`, async (security) => {
    const tls = security === 'tls';
    const common = ['--cacert', caFile, '--user', USER, '--oauth2-bearer', TOKEN, ...(tls ? [] : ['--ssl-reqd'])];
    const subject = `curl ${security} ${personality}`;
    const message = `From: ${USER}\r\nTo: ${USER}\r\nSubject: ${subject}\r\n\r\n.dot line\r\nbody\r\n`;
    const sent = await curl([...common, '--url', `${tls ? 'smtps' : 'smtp'}://127.0.0.1:${tls ? s.smtp.tlsPort : s.smtp.port}`, '--mail-from', USER, '--mail-rcpt', USER, '--upload-file', '-'], message);
    expect(sent.stderr).toContain(`> AUTH ${curlMech}`);
    expect(sent.status, sent.stderr).toBe(0);
    const inbox = s.store.find(USER, 'INBOX')!.messages;
    const uid = inbox[inbox.length - 1]!.uid;
    const imap = await curl([...common, '--url', `${tls ? 'imaps' : 'imap'}://127.0.0.1:${tls ? s.imap.tlsPort : s.imap.port}/INBOX;UID=${uid}`]);
    expect(imap.stderr).toMatch(new RegExp(`> [A-Z0-9]+ AUTHENTICATE ${curlMech} `));
    expect(imap.status, imap.stderr).toBe(0);
    expect(imap.stdout).toBe(message);
    const pop3 = await curl([...common, '--url', `${tls ? 'pop3s' : 'pop3'}://127.0.0.1:${tls ? s.pop3.tlsPort : s.pop3.port}/${inbox.length}`]);
    expect(pop3.stderr).toContain(`> AUTH ${curlMech}`);
    expect(pop3.status, pop3.stderr).toBe(0);
    expect(pop3.stdout).toBe(message);
  });

  it('curl is refused with a bad token (IMAP over implicit TLS)', async () => {
    const r = await curl(['--cacert', caFile, '--user', USER, '--oauth2-bearer', 'wrong-token', '--url', `imaps://127.0.0.1:${s.imap.tlsPort}/INBOX;UID=1`]);
    expect(r.status).toBe(67); // CURLE_LOGIN_DENIED
  });

  it('python smtplib sends, imaplib and poplib read back, all with XOAUTH2, over STARTTLS and implicit TLS', async () => {
    const cfg = { ca: caFile, host: '127.0.0.1', user: USER, token: TOKEN, imap: [s.imap.port, s.imap.tlsPort], pop3: [s.pop3.port, s.pop3.tlsPort], smtp: [s.smtp.port, s.smtp.tlsPort] };
    const r = await run('python3', [PYTHON_SCRIPT, JSON.stringify(cfg)]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      'smtp-starttls': 'ok', 'imap-starttls': 'ok', 'pop3-starttls': 'ok',
      'smtp-tls': 'ok', 'imap-tls': 'ok', 'pop3-tls': 'ok',
    });
  });
});
