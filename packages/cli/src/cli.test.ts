import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServers } from '@mailwire/test-servers';
import { ArgvError, parseArgs } from './args.js';
import { run } from './main.js';
import type { CliIo } from './io.js';

const USER = 'test@contoso.onmicrosoft.com';
const TOKEN = `EwBAgood${'t'.repeat(1500)}`;

function captureIo(env: Record<string, string> = {}): CliIo & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return { outLines, errLines, env, out: (l) => outLines.push(l), err: (l) => errLines.push(l) };
}

describe('parseArgs', () => {
  it('reads valued options, flags, positionals and --', () => {
    const p = parseArgs(['a', '--user=u', '--json', '--ca', 'f', '--', '--x'], new Set(['user', 'ca']), new Set(['json']));
    expect(p.positionals).toEqual(['a', '--x']);
    expect([...p.options]).toEqual([['user', 'u'], ['json', true], ['ca', 'f']]);
  });
  it('refuses unknown options and a missing value', () => {
    expect(() => parseArgs(['--nope'], new Set(), new Set())).toThrow(ArgvError);
    expect(() => parseArgs(['--user'], new Set(['user']), new Set())).toThrow('--user needs a value');
  });
});

let stop: (() => Promise<void>) | undefined;
afterEach(async () => { await stop?.(); stop = undefined; });

/** The outlook test servers with USER's token (stopped after the test), a scratch directory with their CA, and the auth options. */
async function outlookServers() {
  const s = await startTestServers({ personality: 'outlook', users: [{ user: USER, tokens: [TOKEN] }] });
  stop = () => s.stop();
  const dir = mkdtempSync(join(tmpdir(), 'mailwire-cli-'));
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, s.ca);
  return { s, dir, ca, auth: ['--user', USER, '--token-env', 'TOK', '--ca', ca] };
}

describe('mailwire probe (IMAP)', () => {

  it('authenticates, lists the SASL mechanisms and never prints the token', async () => {
    const { s, ca } = await outlookServers();
    const io = captureIo({ TOK: TOKEN });
    const code = await run(['probe', `imaps://127.0.0.1:${s.imap.tlsPort}`, '--user', USER, '--token-env', 'TOK', '--ca', ca, '--json'], io);
    expect(code).toBe(0);
    const report = JSON.parse(io.outLines.join('\n'));
    expect(report.ok).toBe(true);
    expect(report.saslMechanisms).toContain('XOAUTH2');
    expect(io.outLines.join('\n')).not.toContain(TOKEN);
  });

  it('takes the token from --token-cmd (what the command prints), and exits 4 naming a failed command', async () => {
    const { s, ca } = await outlookServers();
    const io = captureIo({ TOK: TOKEN });
    expect(await run(['probe', `imaps://127.0.0.1:${s.imap.tlsPort}`, '--user', USER, '--token-cmd', 'printf "%s\\n" "$TOK"', '--ca', ca, '--json'], io)).toBe(0);
    expect(JSON.parse(io.outLines.join('\n')).ok).toBe(true);
    const failed = captureIo({});
    expect(await run(['probe', `imaps://127.0.0.1:${s.imap.tlsPort}`, '--user', USER, '--token-cmd', 'exit 7', '--ca', ca], failed)).toBe(4);
    expect(failed.errLines.join('\n')).toMatch(/--token-cmd failed: the command exited with 7/);
  });

  it('exits 4 with the diagnosis for a refused token', async () => {
    const { s, ca } = await outlookServers();
    const io = captureIo({ TOK: 'EwBAbad-token-value' });
    const code = await run(['probe', `imaps://127.0.0.1:${s.imap.tlsPort}`, '--user', USER, '--token-env', 'TOK', '--ca', ca, '--json'], io);
    expect(code).toBe(4);
    const report = JSON.parse(io.outLines.join('\n'));
    expect(report.ok).toBe(false);
    expect(report.error.code).toMatch(/^E/);
  });

  it('exits 2 on a usage error', async () => {
    const io = captureIo();
    expect(await run(['probe', '--bogus'], io)).toBe(2);
    expect(await run(['nothing'], io)).toBe(2);
  });
});

describe('the mailwire bin', () => {
  it('prints the usage with the exit codes, for real', () => {
    const bin = fileURLToPath(new URL('../bin/mailwire.js', import.meta.url));
    const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Exit codes: 0 ok');
    const bad = spawnSync(process.execPath, [bin, 'frobnicate'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
  });
});

describe('mailwire demo', () => {
  it('runs every step against the test servers and prints no token whole', async () => {
    const io = captureIo();
    expect(await run(['demo'], io)).toBe(0);
    const out = io.outLines.join('\n');
    expect(out).toContain('accepted: test@contoso.onmicrosoft.com');
    expect(out).toContain('subject "Hello from mailwire"');
    expect(out).toContain('STAT: 1 message(s)');
    expect(out).toContain('TOP 1 0 has "Subject: Hello from mailwire"');
    expect(out).toContain('provider calls: expired, fresh');
    // SMTP and POP3 take the 1,200-character token in two steps; IMAP with SASL-IR in one line.
    expect(out).toContain('  C: AUTH XOAUTH2\n  S: 334 \n  C: [redacted]\n  S: 235 2.7.0 Authentication successful');
    expect(out).toMatch(/ C: A\d+ AUTHENTICATE XOAUTH2 \[redacted\]\n  S: A\d+ OK AUTHENTICATE completed/);
    expect(out).toContain('  C: AUTH XOAUTH2\n  S: + \n  C: [redacted]');
    // The two refusals and their diagnosis.
    expect(out).toContain('hint: Microsoft refused the token');
    expect(out).toContain('reply 535 5.7.139');
    expect(out).toContain('hint: SMTP AUTH is disabled for this tenant or mailbox');
    expect(out).toContain('demo: all steps behaved as described');
    expect(out).not.toMatch(/EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAAxxxxxxxxxxxxxxxxxxxx/);
    expect(io.errLines).toEqual([]);
  });
  it('has --help', async () => {
    const io = captureIo();
    expect(await run(['demo', '--help'], io)).toBe(0);
    expect(io.outLines[0]).toMatch(/^Usage: mailwire demo/);
  });
});

describe('mailwire login and --account (through @mailwire/oauth)', () => {
  it('login --help prints the usage', async () => {
    const io = captureIo();
    expect(await run(['login', '--help'], io)).toBe(0);
    expect(io.outLines.join('\n')).toContain('mailwire login microsoft|google');
  });
  it('probe --account with no stored account exits 4 and names the cache', async () => {
    const cache = join(mkdtempSync(join(tmpdir(), 'mailwire-cli-')), 'tokens.json');
    const io = captureIo({ MAILWIRE_TOKEN_CACHE: cache, MAILWIRE_TOKEN_KEY: 'k' });
    expect(await run(['probe', 'imaps://127.0.0.1:1', '--account', 'nobody'], io)).toBe(4);
    expect(io.errLines.join('\n')).toContain(`no stored account named "nobody" in ${cache}`);
  });
});

describe('mailwire send, list and fetch against the test servers', () => {
  it('sends from stdin by SMTP, lists the mailboxes, fetches headers to stdout and whole messages to files', async () => {
    const { s, dir, auth } = await outlookServers();
    const message = `From: a@contoso.com\r\nTo: ${USER}\r\nSubject: via send\r\n\r\n.leading dot\r\nbody\r\n`;
    async function* stdin() { yield Buffer.from(message); }
    const sendIo = { ...captureIo({ TOK: TOKEN }), stdin: stdin() };
    expect(await run(['send', `submission://127.0.0.1:${s.smtp.port}`, ...auth, '--from', 'a@contoso.com', '--to', USER], sendIo)).toBe(0);
    expect(sendIo.outLines[0]).toMatch(new RegExp(`^sent to ${USER}: 250 `));

    const listIo = captureIo({ TOK: TOKEN });
    expect(await run(['list', `imaps://127.0.0.1:${s.imap.tlsPort}`, ...auth], listIo)).toBe(0);
    expect(listIo.outLines.map((l) => l.split('\t')[0])).toContain('INBOX');

    const written: Buffer[] = [];
    const progress: string[] = [];
    const fetchIo = { ...captureIo({ TOK: TOKEN }), write: (b: Uint8Array) => written.push(Buffer.from(b)), progress: (d: number, t: number) => progress.push(`${d}/${t}`) };
    expect(await run(['fetch', `imaps://127.0.0.1:${s.imap.tlsPort}`, ...auth, '--headers'], fetchIo)).toBe(0);
    expect(Buffer.concat(written).toString()).toBe(`From: a@contoso.com\r\nTo: ${USER}\r\nSubject: via send\r\n\r\n`);
    expect(progress).toEqual(['1/1']);

    const out = join(dir, 'out');
    expect(await run(['fetch', `imaps://127.0.0.1:${s.imap.tlsPort}`, ...auth, '--out', out], captureIo({ TOK: TOKEN }))).toBe(0);
    expect(readFileSync(join(out, '1.eml'), 'utf8')).toBe(message);
  });

  it('POP3: lists the maildrop, fetches headers and whole messages, a --set, and deletes nothing', async () => {
    const { s, dir, auth } = await outlookServers();
    const messages = [1, 2].map((n) => `From: a@contoso.com\r\nTo: ${USER}\r\nSubject: pop ${n}\r\n\r\n.leading dot ${n}\r\n..two dots\r\n.\r\nend\r\n`);
    for (const message of messages) {
      async function* stdin() { yield Buffer.from(message); }
      expect(await run(['send', `submission://127.0.0.1:${s.smtp.port}`, ...auth, '--from', 'a@contoso.com', '--to', USER], { ...captureIo({ TOK: TOKEN }), stdin: stdin() })).toBe(0);
    }
    const pop3 = `pop3s://127.0.0.1:${s.pop3.tlsPort}`;
    const listed = async () => {
      const io = captureIo({ TOK: TOKEN });
      expect(await run(['list', pop3, ...auth], io)).toBe(0);
      return io.outLines.map((l) => l.split('\t'));
    };
    const before = await listed();
    expect(before.map(([n, size]) => [n, size])).toEqual(messages.map((m, i) => [String(i + 1), String(Buffer.byteLength(m))]));
    expect(before.every(([, , uid]) => uid !== undefined && uid.length > 0)).toBe(true);

    const written: Buffer[] = [];
    const progress: string[] = [];
    const fetchIo = { ...captureIo({ TOK: TOKEN }), write: (b: Uint8Array) => written.push(Buffer.from(b)), progress: (d: number, t: number) => progress.push(`${d}/${t}`) };
    expect(await run(['fetch', pop3, ...auth, '--headers', '--set', '2'], fetchIo)).toBe(0);
    expect(Buffer.concat(written).toString()).toBe(`From: a@contoso.com\r\nTo: ${USER}\r\nSubject: pop 2\r\n\r\n`);
    expect(progress).toEqual(['1/1']);

    const out = join(dir, 'out');
    expect(await run(['fetch', pop3, ...auth, '--out', out], captureIo({ TOK: TOKEN }))).toBe(0);
    for (const [i, [, , uid]] of before.entries()) expect(readFileSync(join(out, `${uid}.eml`), 'utf8')).toBe(messages[i]);
    expect(await listed()).toEqual(before);

    const usage = captureIo({ TOK: TOKEN });
    expect(await run(['fetch', pop3, ...auth, '--mailbox', 'Sent'], usage)).toBe(2);
    expect(usage.errLines.join('\n')).toContain('--mailbox is for IMAP');
    expect(await run(['fetch', pop3, ...auth, '--set', '1:x'], captureIo({ TOK: TOKEN }))).toBe(2);
    expect(await run(['list', pop3, ...auth, '--pattern', '*'], captureIo({ TOK: TOKEN }))).toBe(2);
  });

  it('each verb has --help and refuses a wrong scheme with exit 2', async () => {
    for (const verb of ['list', 'fetch', 'send', 'probe', 'check', 'idle', 'login', 'demo']) {
      const io = captureIo();
      expect(await run([verb, '--help'], io)).toBe(0);
      expect(io.outLines[0]).toMatch(new RegExp(`^Usage: mailwire ${verb}`));
    }
    expect(await run(['list', 'smtp://x', '--user', 'u', '--token-env', 'T'], captureIo({ T: 't' }))).toBe(2);
    expect(await run(['send', 'imap://x', '--from', 'a', '--to', 'b', '--user', 'u', '--token-env', 'T'], captureIo({ T: 't' }))).toBe(2);
  });
});

describe('mailwire idle', () => {
  it('prints the message delivered while it idles, then stops after --count', async () => {
    const s = await startTestServers({ personality: 'outlook', users: [{ user: USER, tokens: [TOKEN] }] });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'mailwire-cli-'));
      const ca = join(dir, 'ca.pem');
      writeFileSync(ca, s.ca);
      const io = {
        ...captureIo({ TOK: TOKEN }),
        transcript: ({ dir: d, line }: { dir: 'C' | 'S'; line: string }) => {
          if (d === 'S' && line.startsWith('+ ')) s.store.deliver(USER, Buffer.from('Subject: new\r\n\r\nhi\r\n'));
        },
      };
      expect(await run(['idle', `imaps://127.0.0.1:${s.imap.tlsPort}`, '--user', USER, '--token-env', 'TOK', '--ca', ca, '--count', '1'], io)).toBe(0);
      expect(io.outLines).toEqual(['idling on INBOX: 0 message(s)', 'new message 1']);
    } finally {
      await s.stop();
    }
  });
});

describe('probe: the SASL form and the token claims', () => {
  it('says one-line for IMAP with SASL-IR and two-step for SMTP with a Microsoft-sized token', async () => {
    const s = await startTestServers({ personality: 'outlook', users: [{ user: USER, tokens: [TOKEN] }] });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'mailwire-cli-'));
      const ca = join(dir, 'ca.pem');
      writeFileSync(ca, s.ca);
      const auth = ['--user', USER, '--token-env', 'TOK', '--ca', ca, '--json', '--transcript'];
      const imapIo = captureIo({ TOK: TOKEN });
      expect(await run(['probe', `imaps://127.0.0.1:${s.imap.tlsPort}`, ...auth], imapIo)).toBe(0);
      expect(JSON.parse(imapIo.outLines.join('\n'))).toMatchObject({ ok: true, form: 'one-line' });
      const smtpIo = captureIo({ TOK: TOKEN });
      expect(await run(['probe', `submission://127.0.0.1:${s.smtp.port}`, ...auth], smtpIo)).toBe(0);
      const report = JSON.parse(smtpIo.outLines.join('\n'));
      expect(report).toMatchObject({ ok: true, form: 'two-step' });
      expect(report.why).toMatch(/over SMTP's 512-octet command line/);
      expect(report.saslMechanisms).toContain('XOAUTH2');
      expect(report.transcript.some((l: string) => /ms S: 220 /.test(l))).toBe(true);
      expect(smtpIo.outLines.join('\n')).not.toContain(TOKEN);
      const popIo = captureIo({ TOK: TOKEN });
      expect(await run(['probe', `pop3://127.0.0.1:${s.pop3.port}`, ...auth], popIo)).toBe(0);
      expect(JSON.parse(popIo.outLines.join('\n'))).toMatchObject({ ok: true, form: 'two-step' });
    } finally {
      await s.stop();
    }
  });

  it('reads a Graph token that expired and says both problems, without a server', async () => {
    const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
    const { decodeJwtClaims, examineToken } = await import('./jwt.js');
    const token = jwt({ aud: 'https://graph.microsoft.com', scp: 'Mail.Read', upn: USER, exp: 1000 });
    expect(decodeJwtClaims(token)).toEqual({ aud: 'https://graph.microsoft.com', scopes: ['Mail.Read'], roles: [], subject: USER, exp: 1000 });
    const graph = examineToken(token, 'imap', { now: (1000 + 600) * 1000 });
    expect(graph.expired).toBe(true);
    expect(graph.problems[0]).toBe('the token expired at 1970-01-01T00:16:40.000Z: get a fresh one (mailwire login, or refresh it)');
    expect(graph.problems[1]).toContain('https://outlook.office.com/IMAP.AccessAsUser.All');
    const outlook = jwt({ aud: 'https://outlook.office.com', scp: 'IMAP.AccessAsUser.All', upn: USER, exp: 5000 });
    expect(examineToken(outlook, 'imap', { now: 1_000_000, user: USER }).problems).toEqual([]);
    expect(examineToken(outlook, 'smtp', { now: 1_000_000 }).problems).toEqual(['the token lacks the scope https://outlook.office.com/SMTP.Send (it has: IMAP.AccessAsUser.All)']);
    expect(examineToken(outlook, 'imap', { now: 1_000_000, user: 'shared@contoso.com' }).problems[0]).toContain('FullAccess');
    const appOnly = jwt({ aud: 'https://outlook.office365.com', roles: ['POP.AccessAsApp'], exp: 5000 });
    expect(examineToken(appOnly, 'imap', { now: 1_000_000 }).problems).toEqual(['the app-only token lacks the application permission IMAP.AccessAsApp (it has: POP.AccessAsApp)']);
    expect(examineToken(appOnly, 'pop3', { now: 1_000_000 }).problems).toEqual([]);
    expect(decodeJwtClaims('EwBAopaque')).toBeUndefined();
    expect(examineToken('EwBAopaque', 'imap')).toEqual({ length: 10, jwt: false, problems: [] });
  });
});
