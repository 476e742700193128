import { encodeBase64 } from '@mailwire/sasl';
import { startTestServers } from '@mailwire/test-servers';
import { describe, expect, it } from 'vitest';

import { EXIT } from '../exit-codes.js';
import { checkAgainstScript, runCheck, withFile } from './check.test-util.js';
import { POP3_BEHAVIOUR_CHECKS, POP3_COMMAND_LINE, UNKNOWN_VERB, userOfLength } from './pop3-behaviour.js';

const USER = 'alice@example.com';
const TOKEN = 'a-real-token';
/** A message with body lines that begin with ".", one of them "." alone. */
const DOTTED = Buffer.from(['From: <bob@example.com>', `To: <${USER}>`, 'Subject: dots', '', '.a line with a dot', '.', '..two', 'the end', ''].join('\r\n'));
const PLAIN = Buffer.from(['From: <bob@example.com>', `To: <${USER}>`, 'Subject: no dots', '', 'nothing to stuff', ''].join('\r\n'));

const CAPA = ['TOP', 'UIDL', 'PIPELINING', 'USER', 'SASL XOAUTH2'];
const capaLines = (capa: string[]) => ['S: +OK', ...capa.map((c) => `S: ${c}`), 'S: .'];
/** The client side up to CAPA over TLS, as the checks send it on pop3:// (STLS first). */
const opening = (capa = CAPA) => ['S: +OK ready', 'C: STLS', 'S: +OK go ahead', 'C: CAPA', ...capaLines(capa)];
/** The probe's look: CAPA, STLS, CAPA, QUIT. */
const look = (capa = CAPA) => ['S: +OK ready', 'C: CAPA', ...capaLines([...capa, 'STLS']), 'C: STLS', 'S: +OK go ahead', 'C: CAPA', ...capaLines(capa), 'C: QUIT', 'S: +OK bye'].join('\n');
const XOAUTH2_RESPONSE = encodeBase64(Buffer.from(`user=${USER}\x01auth=Bearer ${TOKEN}\x01\x01`));
const LOGIN = ['C: AUTH XOAUTH2', 'S= "+ \\r\\n"', `C: ${XOAUTH2_RESPONSE}`, 'S: +OK logged in'];
/** A connection that ends after the greeting: the checks before the one under test fail fast on it. */
const CUT = 'S: +OK ready';

/** The scripts for `check` with `script` played to the check `id`, after the look and a cut connection per check before it that connects. */
function scriptsFor(id: string, script: string[], options: { login?: boolean; capa?: string[] } = {}): string[] {
  const at = POP3_BEHAVIOUR_CHECKS.findIndex((c) => c.id === id);
  const before = POP3_BEHAVIOUR_CHECKS.slice(0, at).filter((c) => c.needs !== 'login' || options.login);
  // With a token, check's refused-token login comes first (cut here: it is not under test).
  return [look(options.capa), ...(options.login ? [CUT] : []), ...before.map(() => CUT), script.join('\n')];
}

async function against(scripts: string[], options: { login?: boolean } = {}) {
  if (!options.login) return checkAgainstScript('pop3', scripts);
  return withFile(TOKEN, (token) => checkAgainstScript('pop3', scripts, ['--user', USER, '--token-file', token]));
}

describe('POP3 behaviour checks', () => {
  it('line-length: a 255-octet USER line is exactly 255 octets with its CRLF', () => {
    expect(Buffer.byteLength(userOfLength(POP3_COMMAND_LINE))).toBe(255);
  });

  it.each(['outlook', 'gmail', 'dovecot'] as const)('%s personality: every behaviour check passes (PIPELINING where offered), a stuffed message read, nothing deleted', async (personality) => {
    const servers = await startTestServers({ personality, users: [{ user: USER, tokens: [TOKEN] }] });
    try {
      servers.store.deliver(USER, DOTTED);
      servers.store.deliver(USER, PLAIN);
      const url = `pop3://127.0.0.1:${servers.pop3.port}`;
      const { byId } = await withFile(servers.ca, (ca) => runCheck([url, '--ca', ca, '--user', USER, '--token-env', 'T'], { T: TOKEN }));
      expect(byId['line-length']).toMatchObject({ verdict: 'pass', rfc: 'RFC 2449 §4', detail: 'a 255-octet USER line is answered +OK, and the CAPA after it +OK' });
      expect(byId['multiline-responses']).toMatchObject({ verdict: 'pass', rfc: 'RFC 1939 §3' });
      expect(byId['multiline-responses']!.detail).toMatch(/^CAPA \(\d+ lines\), LIST \(2 lines\), UIDL \(2 lines\): each ended by a lone "\.", every line well-formed$/);
      // Only the dovecot personality offers PIPELINING, as Dovecot does; Outlook's and Gmail's POP3 do not.
      expect(byId['pipelining-in-order']).toMatchObject(personality === 'dovecot' ? { verdict: 'pass', rfc: 'RFC 2449 §6.6' } : { verdict: 'not offered' });
      expect(byId['capa-after-stls']).toMatchObject({ verdict: 'pass', rfc: 'RFC 2595 §4', detail: expect.stringMatching(/^CAPA over TLS is answered with \d+ capabilities ended by a lone "\.", STLS not among them$/) });
      expect(byId['auth-two-step']).toMatchObject({ verdict: 'pass', rfc: 'RFC 5034 §4' });
      expect(byId['capa-after-login']).toMatchObject({ verdict: 'pass', rfc: 'RFC 2449 §5' });
      expect(byId['dot-stuffing']).toMatchObject({ verdict: 'pass', rfc: 'RFC 1939 §3', detail: `read messages 2, 1 with TOP n 262144: 3 lines beginning with "." came stuffed as "..", each response ended by the lone "."` });
      expect(Object.values(byId).filter((c) => c.verdict === 'fail').map((c) => c.id)).toEqual(personality === 'dovecot' ? ['no-auth-before-tls'] : []);
      expect(servers.store.find(USER, 'INBOX')!.messages).toHaveLength(2);
    } finally {
      await servers.stop();
    }
  });

  it('dovecot personality: without a token the session checks are not run; an inbox without dot lines is not run for dot-stuffing, saying what was read', async () => {
    const servers = await startTestServers({ personality: 'dovecot', users: [{ user: USER, tokens: [TOKEN] }] });
    try {
      const url = `pop3://127.0.0.1:${servers.pop3.port}`;
      const bare = await withFile(servers.ca, (ca) => runCheck([url, '--ca', ca]));
      for (const id of ['auth-two-step', 'capa-after-login', 'dot-stuffing']) expect(bare.byId[id]?.verdict, id).toBe('not run');
      expect(bare.byId['multiline-responses']!.detail).toMatch(/^CAPA \(\d+ lines\): .*; LIST and UIDL need a session/);
      const empty = await withFile(servers.ca, (ca) => runCheck([url, '--ca', ca, '--user', USER, '--token-env', 'T'], { T: TOKEN }));
      expect(empty.byId['dot-stuffing']).toMatchObject({ verdict: 'not run', detail: 'the mailbox is empty: no message to read' });
      servers.store.deliver(USER, PLAIN);
      const plain = await withFile(servers.ca, (ca) => runCheck([url, '--ca', ca, '--user', USER, '--token-env', 'T'], { T: TOKEN }));
      expect(plain.byId['dot-stuffing']).toMatchObject({ verdict: 'not run', detail: 'read message 1 with TOP n 262144: none has a line beginning with ".", so nothing needed stuffing' });
    } finally {
      await servers.stop();
    }
  });

  const longUser = `C: ${userOfLength(POP3_COMMAND_LINE).slice(0, -2)}`;
  it('line-length fails against a server that refuses a 255-octet command line', async () => {
    const { code, byId, replay } = await against(scriptsFor('line-length', [...opening(), longUser, 'S: -ERR line too long']));
    expect(replay).toEqual({ ok: true });
    expect(byId['line-length']).toMatchObject({ verdict: 'fail', rfc: 'RFC 2449 §4', detail: 'a 255-octet USER line got "-ERR line too long"' });
    expect(code).toBe(EXIT.failed);
  });

  it('line-length fails against a server that cuts the line and answers its rest as a second command', async () => {
    const cut = [...opening(), longUser, 'S: +OK', 'S: -ERR unknown command', 'C: CAPA'];
    const { byId, replay } = await against(scriptsFor('line-length', cut));
    expect(replay).toEqual({ ok: true });
    expect(byId['line-length']).toMatchObject({ verdict: 'fail', detail: 'after the 255-octet USER line\'s +OK, CAPA got "-ERR unknown command": the rest of the line was read as another command' });
  });

  it('multiline-responses fails against a CAPA list that never ends with "."', async () => {
    const endless = ['S: +OK ready', 'C: STLS', 'S: +OK go ahead', 'C: CAPA', ...capaLines(CAPA), 'C: CAPA', 'S: +OK', 'S: TOP', 'S: UIDL'];
    const { code, byId, replay } = await against(scriptsFor('multiline-responses', endless));
    expect(replay).toEqual({ ok: true });
    expect(byId['multiline-responses']).toMatchObject({ verdict: 'fail', rfc: 'RFC 1939 §3', detail: 'the connection closed after 2 lines of the CAPA response, before the lone "." that ends it' });
    expect(code).toBe(EXIT.failed);
  });

  it('multiline-responses passes on LIST and UIDL listings, and fails against a LIST line that is not a scan listing', async () => {
    const good = [...opening(), ...LOGIN, 'C: CAPA', ...capaLines(CAPA), 'C: LIST', 'S: +OK 1 messages', 'S: 1 120 octets', 'S: .', 'C: UIDL', 'S: +OK', 'S: 1 abc', 'S: .'];
    const { byId, replay } = await against(scriptsFor('multiline-responses', good, { login: true }), { login: true });
    expect(replay).toEqual({ ok: true });
    expect(byId['multiline-responses']).toMatchObject({ verdict: 'pass' });
    const worse = [...opening(), ...LOGIN, 'C: CAPA', ...capaLines(CAPA), 'C: LIST', 'S: +OK', 'S: one 120', 'S: .'];
    const broken = await against(scriptsFor('multiline-responses', worse, { login: true }), { login: true });
    expect(broken.replay).toEqual({ ok: true });
    expect(broken.byId['multiline-responses']).toMatchObject({ verdict: 'fail', detail: 'a line of the LIST response, "one 120", is not a scan listing "msg octets" (RFC 1939 §5)' });
    expect(broken.code).toBe(EXIT.failed);
  });

  it('pipelining-in-order fails against a server that answers a pipelined group out of order', async () => {
    const shuffled = [...opening(), 'C: CAPA', `C: ${UNKNOWN_VERB}`, 'C: CAPA', ...capaLines(CAPA), ...capaLines(CAPA), 'S: -ERR unknown command'];
    const { code, byId, replay } = await against(scriptsFor('pipelining-in-order', shuffled));
    expect(replay).toEqual({ ok: true });
    expect(byId['pipelining-in-order']).toMatchObject({ verdict: 'fail', rfc: 'RFC 2449 §6.6', detail: `CAPA, ${UNKNOWN_VERB}, CAPA in one write were answered +OK, +OK, TOP, not +OK (list), -ERR, +OK (list)` });
    expect(code).toBe(EXIT.failed);
  });

  it('pipelining-in-order is not offered where CAPA does not list PIPELINING', async () => {
    const capa = ['TOP', 'UIDL', 'USER'];
    const { byId, replay } = await against(scriptsFor('pipelining-in-order', opening(capa), { capa }));
    expect(replay).toEqual({ ok: true });
    expect(byId['pipelining-in-order']).toMatchObject({ verdict: 'not offered', detail: 'CAPA does not list PIPELINING' });
  });

  it('capa-after-stls fails against a server that refuses CAPA over TLS', async () => {
    const refused = ['S: +OK ready', 'C: STLS', 'S: +OK go ahead', 'C: CAPA', 'S: -ERR not now'];
    const { code, byId, replay } = await against(scriptsFor('capa-after-stls', refused));
    expect(replay).toEqual({ ok: true });
    expect(byId['capa-after-stls']).toMatchObject({ verdict: 'fail', rfc: 'RFC 2595 §4', detail: 'could not get to the check: CAPA: the server answered "-ERR not now"' });
    expect(code).toBe(EXIT.failed);
  });

  it('capa-after-stls is not offered on implicit TLS', async () => {
    const { byId } = await checkAgainstScript('pop3s', [['S: +OK ready', 'C: CAPA', ...capaLines(CAPA), 'C: QUIT', 'S: +OK bye'].join('\n')]);
    expect(byId['capa-after-stls']).toMatchObject({ verdict: 'not offered', detail: 'implicit TLS: no STLS to check' });
  });

  it('auth-two-step fails against a server that takes a second AUTH after login', async () => {
    const twice = [...opening(), ...LOGIN, 'C: AUTH XOAUTH2', 'S= "+ \\r\\n"'];
    const { code, byId, replay } = await against(scriptsFor('auth-two-step', twice, { login: true }), { login: true });
    expect(replay).toEqual({ ok: true });
    expect(byId['auth-two-step']).toMatchObject({ verdict: 'fail', rfc: 'RFC 5034 §4', detail: 'a second AUTH after logging in got "+ ", not -ERR' });
    expect(code).toBe(EXIT.failed);
  });

  it('capa-after-login fails against a server whose CAPA after login drops TOP', async () => {
    const dropped = [...opening(), ...LOGIN, 'C: CAPA', ...capaLines(['UIDL', 'PIPELINING'])];
    const { code, byId, replay } = await against(scriptsFor('capa-after-login', dropped, { login: true }), { login: true });
    expect(replay).toEqual({ ok: true });
    expect(byId['capa-after-login']).toMatchObject({ verdict: 'fail', rfc: 'RFC 2449 §5', detail: 'CAPA after login no longer lists TOP, announced before login' });
    expect(code).toBe(EXIT.failed);
  });

  it('dot-stuffing fails against a server that sends a body line ".x" unstuffed', async () => {
    const unstuffed = [...opening(), ...LOGIN, 'C: LIST', 'S: +OK', 'S: 1 40', 'S: .', 'C: TOP 1 262144', 'S: +OK', 'S: Subject: x', 'S:', 'S: .x marks the spot', 'S: .'];
    const { code, byId, replay } = await against(scriptsFor('dot-stuffing', unstuffed, { login: true }), { login: true });
    expect(replay).toEqual({ ok: true });
    expect(byId['dot-stuffing']).toMatchObject({ verdict: 'fail', rfc: 'RFC 1939 §3', detail: 'line 3 of message 1, ".x marks the spot", begins with a single "." but is not the terminator: it was not dot-stuffed' });
    expect(code).toBe(EXIT.failed);
  });

  it('dot-stuffing fails against a server that sends a body line "." unstuffed, ending the message early', async () => {
    const early = [...opening(), ...LOGIN, 'C: LIST', 'S: +OK', 'S: 1 40', 'S: .', 'C: TOP 1 262144', 'S: +OK', 'S: Subject: x', 'S:', 'S: .', 'S: the rest', 'S: .', 'C: NOOP', 'S: +OK'];
    const { byId, replay } = await against(scriptsFor('dot-stuffing', early, { login: true }), { login: true });
    expect(replay).toEqual({ ok: true });
    expect(byId['dot-stuffing']).toMatchObject({ verdict: 'fail', detail: 'after the "." that ended message 1 the server sent "the rest" where the NOOP\'s +OK belonged: a body line "." was not stuffed, and the message went on past it' });
  });

  it('dot-stuffing reads with RETR where TOP is not offered, and passes on stuffed lines', async () => {
    const capa = ['UIDL', 'USER', 'SASL XOAUTH2'];
    const good = [...opening(capa), ...LOGIN, 'C: LIST', 'S: +OK', 'S: 1 40', 'S: .', 'C: RETR 1', 'S: +OK 40 octets', 'S: Subject: x', 'S:', 'S: ..', 'S: ..x', 'S: .', 'C: NOOP', 'S: +OK'];
    const { byId, replay } = await against(scriptsFor('dot-stuffing', good, { login: true, capa }), { login: true });
    expect(replay).toEqual({ ok: true });
    expect(byId['dot-stuffing']).toMatchObject({ verdict: 'pass', detail: 'read message 1 with RETR: 2 lines beginning with "." came stuffed as "..", each response ended by the lone "."' });
  });
});
