import { startTestServers } from '@mailwire/test-servers';
import { encodeBase64 } from '@mailwire/sasl';
import { dotStuff } from '@mailwire/wire';
import { describe, expect, it, vi } from 'vitest';

import { EXIT } from '../exit-codes.js';
import { checkAgainstScript, runCheck, smtpOpening, withFile } from './check.test-util.js';
import { SMTP_BEHAVIOUR_CHECKS, SMTP_COMMAND_LINE, UNKNOWN_VERB, noopOfLength } from './smtp-behaviour.js';
import { DOT_LINES, dotStuffingMessage } from './smtp-dot-stuffing.js';

const USER = 'alice@example.com';
const TOKEN = 'a-real-token';
const EHLO = ['mx.example.com', 'PIPELINING', 'AUTH PLAIN XOAUTH2'];
/** The same server with a token: the behaviour checks log in with XOAUTH2. */
const EHLO_LOGIN = EHLO;
/** The probe's look at the server: its opening, then QUIT. */
const lookAt = (ehlo: string[]) => [...smtpOpening(ehlo), 'C: QUIT', 'S: 221 bye'].join('\n');
const look = lookAt(EHLO);
const XOAUTH2_RESPONSE = encodeBase64(Buffer.from(`user=${USER}\x01auth=Bearer ${TOKEN}\x01\x01`));
/** The two-step login every session check does after the opening. */
const LOGIN = ['C: AUTH XOAUTH2', 'S= "334 \\r\\n"', `C: ${XOAUTH2_RESPONSE}`, 'S: 235 2.7.0 Authentication successful'];
/** A connection that ends after the greeting: the checks before the one under test fail fast on it. */
const CUT = 'S: 220 mx.example.com ESMTP';

/**
 * The scripts for `check` with `script` played to the check `id`: the look, then a cut
 * connection for each check before it that connects (with `login`, also the refused-token
 * login and the checks that need a session; dot-stuffing only with --send-test-message).
 */
function scriptsFor(id: string, script: string[], options: { login?: boolean; send?: boolean } = {}): string[] {
  const at = SMTP_BEHAVIOUR_CHECKS.findIndex((c) => c.id === id);
  const before = SMTP_BEHAVIOUR_CHECKS.slice(0, at).filter((c) => (c.needs !== 'login' || options.login) && (c.id !== 'dot-stuffing' || options.send));
  return [options.login ? lookAt(EHLO_LOGIN) : look, ...(options.login ? [CUT] : []), ...before.map(() => CUT), script.join('\n')];
}

/** `check submission://...` against the scripts, with a token for the session checks when `login`. */
async function against(scripts: string[], options: { login?: boolean; send?: boolean } = {}) {
  if (!options.login) return checkAgainstScript('submission', scripts);
  return withFile(TOKEN, (token) => checkAgainstScript('submission', scripts, ['--user', USER, '--token-file', token, ...(options.send ? ['--send-test-message'] : [])]));
}

describe('SMTP behaviour checks', () => {
  it('line-length: a 512-octet NOOP is exactly 512 octets with its CRLF', () => {
    expect(Buffer.byteLength(noopOfLength(SMTP_COMMAND_LINE))).toBe(512);
  });

  it.each(['outlook', 'gmail', 'dovecot'] as const)('%s personality: every behaviour check passes, dot-stuffing delivers its message intact', async (personality) => {
    const servers = await startTestServers({ personality, users: [{ user: USER, tokens: [TOKEN] }] });
    try {
      const url = `submission://127.0.0.1:${servers.smtp.port}`;
      const { byId, code } = await withFile(servers.ca, (ca) => runCheck([url, '--ca', ca, '--user', USER, '--token-env', 'T', '--send-test-message'], { T: TOKEN }));
      expect(byId['line-length']).toMatchObject({ verdict: 'pass', rfc: 'RFC 5321 §4.5.3.1.4' });
      expect(byId['multiline-replies']).toMatchObject({ verdict: 'pass', rfc: 'RFC 5321 §4.2.1' });
      expect(byId['multiline-replies']!.detail).toMatch(/^EHLO \(\d+ lines\)/);
      expect(byId['pipelining-in-order']).toMatchObject({ verdict: 'pass', rfc: 'RFC 2920 §3.1' });
      expect(byId['pipelining-in-order']!.detail).toMatch(/answered 250, 5\d\d, 250: one reply per command, in order$/);
      expect(byId['pipelining-transaction']).toMatchObject({ verdict: 'pass', rfc: 'RFC 2920 §3.1' });
      expect(byId['starttls-ehlo']).toMatchObject({ verdict: 'pass', rfc: 'RFC 3207 §4.2' });
      expect(byId['auth-two-step']).toMatchObject({ verdict: 'pass', rfc: 'RFC 4954 §4' });
      expect(byId['dot-stuffing']).toMatchObject({ verdict: 'pass', rfc: 'RFC 5321 §4.5.2' });
      expect(byId['dot-stuffing']!.detail).toContain(`one message sent to ${USER}`);
      // The dovecot personality offers AUTH before STARTTLS on loopback, as Dovecot does: that advertised check's finding.
      const failed = Object.values(byId).filter((c) => c.verdict === 'fail').map((c) => c.id);
      expect(failed).toEqual(personality === 'dovecot' ? ['no-auth-before-tls'] : []);
      expect(code).toBe(failed.length > 0 ? EXIT.failed : EXIT.ok);
      const inbox = servers.store.find(USER, 'INBOX')!.messages;
      expect(inbox).toHaveLength(1);
      const lines = inbox[0]!.raw.toString('latin1').split('\r\n');
      expect(lines.filter((l) => l.startsWith('.'))).toEqual(DOT_LINES);
      expect(lines.at(-2)).toBe('The last line.');
    } finally {
      await servers.stop();
    }
  });

  it.each(['outlook', 'gmail', 'dovecot'] as const)('%s personality: without a token the session checks are not run; without --send-test-message nothing is sent', async (personality) => {
    const servers = await startTestServers({ personality, users: [{ user: USER, tokens: [TOKEN] }] });
    try {
      const url = `submission://127.0.0.1:${servers.smtp.port}`;
      const bare = await withFile(servers.ca, (ca) => runCheck([url, '--ca', ca]));
      for (const id of ['auth-two-step', 'pipelining-transaction', 'dot-stuffing']) expect(bare.byId[id]?.verdict, id).toBe('not run');
      expect(bare.byId['pipelining-in-order']?.verdict).toBe('pass');
      const withToken = await withFile(servers.ca, (ca) => runCheck([url, '--ca', ca, '--user', USER, '--token-env', 'T'], { T: TOKEN }));
      expect(withToken.byId['dot-stuffing']).toMatchObject({ verdict: 'not run', detail: 'sends one message to USER: give --send-test-message to run it' });
      expect(withToken.byId['auth-two-step']?.verdict).toBe('pass');
      expect(servers.store.find(USER, 'INBOX')?.messages ?? []).toHaveLength(0);
    } finally {
      await servers.stop();
    }
  });

  it('line-length fails against a server that refuses a 512-octet command line', async () => {
    const refuses = [...smtpOpening(EHLO), `C: ${noopOfLength(SMTP_COMMAND_LINE).slice(0, -2)}`, 'S: 500 5.5.2 Line too long'].join('\n');
    const { code, byId, replay } = await checkAgainstScript('submission', [look, refuses]);
    expect(replay).toEqual({ ok: true });
    expect(byId['line-length']).toMatchObject({ verdict: 'fail' });
    expect(byId['line-length']!.detail).toContain('500 5.5.2 Line too long');
    expect(code).toBe(EXIT.failed);
  });

  it('line-length passes against the same script answering 250', async () => {
    const takes = [...smtpOpening(EHLO), `C: ${noopOfLength(SMTP_COMMAND_LINE).slice(0, -2)}`, 'S: 250 2.0.0 OK'].join('\n');
    const { byId, replay } = await checkAgainstScript('submission', [look, takes]);
    expect(replay).toEqual({ ok: true });
    expect(byId['line-length']?.verdict).toBe('pass');
  });

  const ehloAgain = ['C: EHLO [127.0.0.1]'];
  it('multiline-replies fails against a server whose EHLO reply mixes codes', async () => {
    const mixed = [...smtpOpening(EHLO), ...ehloAgain, 'S: 250-mx.example.com', 'S: 250-PIPELINING', 'S: 252 AUTH PLAIN XOAUTH2'];
    const { code, byId, replay } = await checkAgainstScript('submission', scriptsFor('multiline-replies', mixed));
    expect(replay).toEqual({ ok: true });
    expect(byId['multiline-replies']).toMatchObject({ verdict: 'fail', rfc: 'RFC 5321 §4.2.1' });
    expect(byId['multiline-replies']!.detail).toBe('the reply to EHLO: line 1 carries 250 but the reply ends with 252: a reply has one code on every line');
    expect(code).toBe(EXIT.failed);
  });

  it('multiline-replies fails against a server that ends an EHLO line with a space and goes on', async () => {
    const early = [...smtpOpening(EHLO), ...ehloAgain, 'S: 250 mx.example.com', 'S: 250-PIPELINING', 'S: 250 AUTH PLAIN XOAUTH2', 'C: HELP'];
    const { code, byId, replay } = await checkAgainstScript('submission', scriptsFor('multiline-replies', early));
    expect(replay).toEqual({ ok: true });
    expect(byId['multiline-replies']?.verdict).toBe('fail');
    expect(byId['multiline-replies']!.detail).toBe('HELP was answered 250 in 2 lines: lines left over from the EHLO reply, which went on past a line without "-"');
    expect(code).toBe(EXIT.failed);
  });

  it('multiline-replies fails against a multi-line HELP reply whose lines lack the "-"', async () => {
    const help = [...smtpOpening(EHLO), ...ehloAgain, ...smtpOpening(EHLO).slice(-3), 'C: HELP', 'S: 214 Commands:', 'S: 214 EHLO MAIL RCPT DATA', 'C: NOOP'];
    const { byId, replay } = await checkAgainstScript('submission', scriptsFor('multiline-replies', help));
    expect(replay).toEqual({ ok: true });
    expect(byId['multiline-replies']).toMatchObject({ verdict: 'fail', detail: 'NOOP was answered "214 EHLO MAIL RCPT DATA": lines left over from the HELP reply, which went on past a line without "-"' });
  });

  it('multiline-replies passes against the same server answering HELP in two proper lines', async () => {
    const help = [...smtpOpening(EHLO), ...ehloAgain, ...smtpOpening(EHLO).slice(-3), 'C: HELP', 'S: 214-Commands:', 'S: 214 EHLO MAIL RCPT DATA', 'C: NOOP', 'S: 250 OK'];
    const { byId, replay } = await checkAgainstScript('submission', scriptsFor('multiline-replies', help));
    expect(replay).toEqual({ ok: true });
    expect(byId['multiline-replies']).toMatchObject({ verdict: 'pass' });
    expect(byId['multiline-replies']!.detail).toMatch(/^EHLO \(3 lines\), HELP \(2 lines\): /);
  });

  it('pipelining-in-order fails against a server that answers a pipelined group out of order', async () => {
    const shuffled = [...smtpOpening(EHLO), 'C: RSET', `C: ${UNKNOWN_VERB}`, 'C: NOOP', 'S: 250 OK', 'S: 250 OK', 'S: 500 5.5.1 Unknown command'];
    const { code, byId, replay } = await checkAgainstScript('submission', scriptsFor('pipelining-in-order', shuffled));
    expect(replay).toEqual({ ok: true });
    expect(byId['pipelining-in-order']).toMatchObject({ verdict: 'fail', rfc: 'RFC 2920 §3.1' });
    expect(byId['pipelining-in-order']!.detail).toBe(`RSET, ${UNKNOWN_VERB}, NOOP in one write were answered 250, 250, 500, not 2xx, 5xx, 2xx: the replies are not one per command in order`);
    expect(code).toBe(EXIT.failed);
  });

  it('pipelining-in-order is not offered where EHLO over TLS does not list PIPELINING', async () => {
    const none = ['mx.example.com', 'AUTH PLAIN XOAUTH2'];
    const scripts = [lookAt(none), ...scriptsFor('pipelining-in-order', smtpOpening(none)).slice(1)];
    const { byId, replay } = await checkAgainstScript('submission', scripts);
    expect(replay).toEqual({ ok: true });
    expect(byId['pipelining-in-order']).toMatchObject({ verdict: 'not offered', detail: 'EHLO over TLS does not list PIPELINING' });
  });

  it('starttls-ehlo fails against a server that lists STARTTLS again after TLS', async () => {
    const again = ['mx.example.com', 'PIPELINING', 'STARTTLS'];
    const opening = smtpOpening(EHLO).slice(0, -EHLO.length).concat(again.map((l, i) => `S: 250${i === again.length - 1 ? ' ' : '-'}${l}`));
    const { code, byId, replay } = await checkAgainstScript('submission', scriptsFor('starttls-ehlo', opening));
    expect(replay).toEqual({ ok: true });
    expect(byId['starttls-ehlo']).toMatchObject({ verdict: 'fail', rfc: 'RFC 3207 §4.2', detail: 'the EHLO after STARTTLS lists STARTTLS again' });
    expect(code).toBe(EXIT.failed);
  });

  it('auth-two-step fails against a server that takes the login but a second AUTH too', async () => {
    const twice = [...smtpOpening(EHLO_LOGIN), ...LOGIN, 'C: AUTH XOAUTH2', 'S= "334 \\r\\n"'];
    const { code, byId, replay } = await against(scriptsFor('auth-two-step', twice, { login: true }), { login: true });
    expect(replay).toEqual({ ok: true });
    expect(byId['auth-two-step']).toMatchObject({ verdict: 'fail', rfc: 'RFC 4954 §4', detail: 'a second AUTH after logging in got "334 ", not 503' });
    expect(code).toBe(EXIT.failed);
  });

  it('auth-two-step fails against a server whose go-ahead is not the empty challenge', async () => {
    const odd = [...smtpOpening(EHLO_LOGIN), 'C: AUTH XOAUTH2', 'S: 334 VXNlcm5hbWU6', `C: ${XOAUTH2_RESPONSE}`, 'S: 235 2.7.0 ok'];
    const { byId, replay } = await against(scriptsFor('auth-two-step', odd, { login: true }), { login: true });
    expect(replay).toEqual({ ok: true });
    expect(byId['auth-two-step']).toMatchObject({ verdict: 'fail', detail: 'AUTH XOAUTH2 without an initial response got "334 VXNlcm5hbWU6", not the empty challenge "334 "' });
  });

  it('pipelining-transaction fails against a server that drops a command of the group', async () => {
    const dropped = [...smtpOpening(EHLO_LOGIN), ...LOGIN, `C: MAIL FROM:<${USER}>`, `C: RCPT TO:<${USER}>`, 'C: RSET', `C: ${UNKNOWN_VERB}`, 'S: 250 2.1.0 OK', 'S: 250 2.0.0 Reset', 'S: 500 5.5.1 Unknown command'];
    const { code, byId, replay } = await against(scriptsFor('pipelining-transaction', dropped, { login: true }), { login: true });
    expect(replay).toEqual({ ok: true });
    expect(byId['pipelining-transaction']).toMatchObject({ verdict: 'fail', rfc: 'RFC 2920 §3.1' });
    expect(byId['pipelining-transaction']!.detail).toMatch(/were answered 250, 250, 500$|the connection closed after 3 replies \(250, 250, 500\)$/);
    expect(code).toBe(EXIT.failed);
  });

  it('dot-stuffing fails against a server that ends the data at a stuffed ".." line', async () => {
    // The server unstuffs first, then takes the "." it made of ".." for the end: the lines after it are commands.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-04T01:02:03Z') });
    try {
      const stuffed = Buffer.from(dotStuff(Buffer.from(dotStuffingMessage(USER)))).toString('latin1').split('\r\n').slice(0, -1);
      const end = stuffed.indexOf('..') + 1;
      const clientLines = (lines: string[]) => lines.map((l) => (l === '' ? 'C:' : `C: ${l}`));
      const early = [
        ...smtpOpening(EHLO_LOGIN), ...LOGIN,
        `C: MAIL FROM:<${USER}>`, 'S: 250 2.1.0 OK', `C: RCPT TO:<${USER}>`, 'S: 250 2.1.5 OK', 'C: DATA', 'S: 354 go ahead',
        ...clientLines(stuffed.slice(0, end)), 'S: 250 2.0.0 queued',
        ...clientLines(stuffed.slice(end)), ...stuffed.slice(end).map(() => 'S: 500 5.5.1 Unknown command'),
        'C: NOOP', 'S: 250 OK',
      ];
      const { byId, code, replay } = await against(scriptsFor('dot-stuffing', early, { login: true, send: true }), { login: true, send: true });
      expect(replay).toEqual({ ok: true });
      expect(byId['dot-stuffing']).toMatchObject({ verdict: 'fail', rfc: 'RFC 5321 §4.5.2' });
      expect(byId['dot-stuffing']!.detail).toBe('the server ended the data before the lone ".": after its 250 it answered "500 5.5.1 Unknown command" where the NOOP\'s 250 belonged — the rest of the body was read as commands');
      expect(code).toBe(EXIT.failed);
    } finally {
      vi.useRealTimers();
    }
  });

  it('dot-stuffing: the message on the wire has every dot line stuffed, and a server answering it properly passes', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-04T01:02:03Z') });
    try {
      const stuffed = Buffer.from(dotStuff(Buffer.from(dotStuffingMessage(USER)))).toString('latin1').split('\r\n').slice(0, -1);
      expect(stuffed.filter((l) => l.startsWith('.'))).toEqual([...DOT_LINES.map((l) => `.${l}`), '.']);
      const good = [
        ...smtpOpening(EHLO_LOGIN), ...LOGIN,
        `C: MAIL FROM:<${USER}>`, 'S: 250 2.1.0 OK', `C: RCPT TO:<${USER}>`, 'S: 250 2.1.5 OK', 'C: DATA', 'S: 354 go ahead',
        ...stuffed.map((l) => (l === '' ? 'C:' : `C: ${l}`)), 'S: 250 2.0.0 queued', 'C: NOOP', 'S: 250 OK',
      ];
      const { byId, replay } = await against(scriptsFor('dot-stuffing', good, { login: true, send: true }), { login: true, send: true });
      expect(replay).toEqual({ ok: true });
      expect(byId['dot-stuffing']?.verdict).toBe('pass');
    } finally {
      vi.useRealTimers();
    }
  });
});
