import { startTestServers } from '@mailwire/test-servers';
import { describe, expect, it } from 'vitest';

import { EXIT } from '../exit-codes.js';
import { checkAgainstScript, runCheck, withFile } from './check.test-util.js';
import { IMAP_BEHAVIOUR_CHECKS, IMAP_COMMAND_LINE } from './imap-behaviour.js';
import { EVERY_TAG_CHAR, idOfLength, listOfLength, overLimitLiteral } from './imap-check-commands.js';
import { AUTHED_CAPS, CAPS, TOKEN, USER, XOAUTH2_RESPONSE, connections, opening, script, type Shape } from './imap-scripts.test-util.js';

const IDS = IMAP_BEHAVIOUR_CHECKS.map((c) => c.id);
const TOKEN_ARGS = ['--user', USER, '--token-env', 'T'];

/** `mailwire check` against scripted servers of `shape`, with `replace` swapped in; only the checks the test names may fail. */
async function scripted(shape: Shape, replace: Record<string, string> = {}) {
  const scheme = shape.starttls || shape.plaintext ? 'imap' : 'imaps';
  const { code, byId, replay } = await runScripted(scheme, connections(shape, replace), shape.login === true, shape.plaintext ? ['--plaintext'] : []);
  expect(replay).toEqual({ ok: true });
  return { code, byId };
}

/** The token of a logged-in run comes from a file: checkAgainstScript takes no environment. */
function runScripted(scheme: 'imap' | 'imaps', transcripts: string[], login: boolean, extra: string[]) {
  if (!login) return checkAgainstScript(scheme, transcripts, extra);
  return withFile(TOKEN, (file) => checkAgainstScript(scheme, transcripts, ['--user', USER, '--token-file', file, ...extra]));
}

function failures(byId: Record<string, { verdict: string }>): string[] {
  return Object.entries(byId).filter(([, c]) => c.verdict === 'fail').map(([id]) => id);
}

describe('IMAP behaviour checks: the command lines', () => {
  it('idOfLength is exactly as long as asked, within RFC 2971 (values of at most 1024 octets, at most 30 pairs)', () => {
    for (const n of [IMAP_COMMAND_LINE, 200, 1024, 30_000]) {
      const line = idOfLength('m9', n)!;
      expect(Buffer.byteLength(line), String(n)).toBe(n);
      const values = [...line.matchAll(/"f\d+" "(x*)"/g)].map((v) => v[1]!.length);
      expect(values.length).toBeLessThanOrEqual(30);
      expect(Math.max(...values)).toBeLessThanOrEqual(1024);
    }
    expect(idOfLength('m9', 31 * 1100)).toBeUndefined();
    expect(Buffer.byteLength(listOfLength('m9', 100_000))).toBe(100_000);
  });

  it('the over-limit literal is 4,097 octets of NOOP lines', () => {
    expect(overLimitLiteral()).toHaveLength(4097);
    expect(overLimitLiteral().startsWith('mwlit NOOP\r\n')).toBe(true);
  });
});

describe('IMAP behaviour checks against the personalities', () => {
  it.each(['outlook', 'gmail', 'dovecot'] as const)('%s: every check passes or is not offered, on STARTTLS and implicit TLS, with and without a token', async (personality) => {
    const servers = await startTestServers({ personality, users: [{ user: USER, tokens: [TOKEN] }] });
    try {
      for (const url of [`imap://127.0.0.1:${servers.imap.port}`, `imaps://127.0.0.1:${servers.imap.tlsPort}`]) {
        for (const withToken of [false, true]) {
          const { byId } = await withFile(servers.ca, (ca) => runCheck([url, '--ca', ca, ...(withToken ? TOKEN_ARGS : [])], { T: TOKEN }));
          const name = `${personality} ${url} ${withToken ? 'with' : 'without'} a token`;
          const ours = IDS.map((id) => [id, byId[id]] as const);
          expect(ours.filter(([, c]) => c?.verdict !== 'pass' && c?.verdict !== 'not offered' && c?.verdict !== 'not run').map(([id, c]) => `${id}: ${c?.detail}`), name).toEqual([]);
          for (const id of ['tags-pipelined', 'tag-syntax', 'tag-reuse', 'unknown-command', 'literal-sync', 'line-length', 'starttls-over-tls']) expect(byId[id]?.verdict, `${name}: ${id}`).toBe('pass');
          // Gmail lists LITERAL+ only after login.
          expect(byId['literal-nonsync']?.verdict, name).toBe(personality === 'gmail' && !withToken ? 'not offered' : 'pass');
          expect(byId['literal-minus-limit']?.verdict, name).toBe('not offered');
          expect(byId['capability-after-starttls']?.verdict, name).toBe(url.startsWith('imaps') ? 'not offered' : 'pass');
          for (const id of ['capability-after-login', 'sasl-two-step', 'sasl-ir-one-line']) expect(byId[id]?.verdict, `${name}: ${id}`).toBe(withToken ? 'pass' : 'not run');
          expect(byId['literal-sync']?.detail, name).toContain(withToken ? 'ID after login' : 'ID before login');
        }
      }
      expect(servers.errors).toEqual([]);
    } finally {
      await servers.stop();
    }
  });

  it('gmail lists LITERAL+ only after login: literal-nonsync is not offered without a token, and passes with one', async () => {
    const servers = await startTestServers({ personality: 'gmail', users: [{ user: USER, tokens: [TOKEN] }] });
    try {
      const url = `imaps://127.0.0.1:${servers.imap.tlsPort}`;
      const without = await withFile(servers.ca, (ca) => runCheck([url, '--ca', ca]));
      expect(without.byId['literal-nonsync']).toMatchObject({ verdict: 'not offered', rfc: 'RFC 7888 §3' });
      const withToken = await withFile(servers.ca, (ca) => runCheck([url, '--ca', ca, ...TOKEN_ARGS], { T: TOKEN }));
      expect(withToken.byId['literal-nonsync']?.verdict).toBe('pass');
      expect(withToken.byId['capability-after-login']?.detail).toContain('+LITERAL+');
    } finally {
      await servers.stop();
    }
  });
});

describe('IMAP behaviour checks with a token where no OAuth mechanism is offered', () => {
  it('the checks that can go either way stay before login, and those that need a session are not offered', async () => {
    const servers = await startTestServers({ personality: 'dovecot', mechanisms: ['PLAIN'], users: [{ user: USER, tokens: [TOKEN], password: 'pw' }] });
    try {
      const { byId } = await withFile(servers.ca, (ca) => runCheck([`imaps://127.0.0.1:${servers.imap.tlsPort}`, '--ca', ca, ...TOKEN_ARGS], { T: TOKEN }));
      for (const id of ['literal-sync', 'literal-nonsync', 'line-length']) expect(byId[id]?.detail, id).toContain('ID before login');
      for (const id of ['capability-after-login', 'sasl-two-step', 'sasl-ir-one-line']) expect(byId[id]?.verdict, id).toBe('not offered');
      expect(failures(byId)).toEqual([]);
    } finally {
      await servers.stop();
    }
  });
});

describe('IMAP behaviour checks against scripted servers', () => {
  it.each([{}, { starttls: true }, { login: true }, { starttls: true, login: true }] as Shape[])('a conforming script %o: every check passes, is not offered or not run, exit 0', async (shape) => {
    const { code, byId } = await scripted(shape);
    expect(failures(byId)).toEqual([]);
    expect(IDS.every((id) => byId[id] !== undefined)).toBe(true);
    expect(code).toBe(EXIT.ok);
  });

  /** Runs the checks with one connection broken; that check (and only it) fails, exit 1. */
  async function breaks(id: string, shape: Shape, text: string, detail: string | RegExp) {
    const { code, byId } = await scripted(shape, { [id]: text });
    expect(failures(byId)).toEqual([id]);
    const found = byId[id]!;
    if (typeof detail === 'string') expect(found.detail).toContain(detail);
    else expect(found.detail).toMatch(detail);
    expect(code).toBe(EXIT.failed);
    return found;
  }

  it('tags-pipelined fails when the second of three pipelined commands gets an untagged BAD', async () => {
    const text = script(...opening({}).lines, 'C: mw.1 NOOP', 'C: mw!2 CAPABILITY', 'C: #mw~3 NOOP', 'S: mw.1 OK done', 'S: * BAD Error in IMAP command received by server.', 'S: #mw~3 OK done');
    const found = await breaks('tags-pipelined', {}, text, 'no tagged reply for mw!2');
    expect(found.rfc).toBe('RFC 9051 §5.5');
  });

  it('tags-pipelined passes when the three are answered out of order, and says so (RFC 9051 §5.5 allows it)', async () => {
    const text = script(...opening({}).lines, 'C: mw.1 NOOP', 'C: mw!2 CAPABILITY', 'C: #mw~3 NOOP', 'S: #mw~3 OK done', 'S: mw.1 OK done', `S: * CAPABILITY ${CAPS}`, 'S: mw!2 OK done');
    const { byId } = await scripted({}, { 'tags-pipelined': text });
    expect(byId['tags-pipelined']).toMatchObject({ verdict: 'pass', detail: 'three commands in one write, each answered OK with its own tag, in the order #mw~3 mw.1 mw!2 (§5.5 allows that)' });
  });

  it('tags-pipelined fails when a reply carries a tag that was not sent', async () => {
    const text = script(...opening({}).lines, 'C: mw.1 NOOP', 'C: mw!2 CAPABILITY', 'C: #mw~3 NOOP', 'S: mw.1 OK done', 'S: mw OK done', 'S: #mw~3 OK done');
    await breaks('tags-pipelined', {}, text, 'answered "mw OK done"');
  });

  it('tags-pipelined fails when the server reads the first command and closes', async () => {
    const text = script(...opening({}).lines, 'C: mw.1 NOOP', 'C: mw!2 CAPABILITY', 'C: #mw~3 NOOP', 'S: mw.1 OK done');
    await breaks('tags-pipelined', {}, text, 'no tagged reply for mw!2, #mw~3');
  });

  it('tag-syntax fails against a server that cannot read a tag with "]" (what Dovecot 2.3 answers)', async () => {
    const o = opening({});
    const t = o.tag();
    const text = script(...o.lines, `C: ${EVERY_TAG_CHAR} NOOP`, `C: ${t} NOOP`, 'S: * BAD Error in IMAP command received by server.', `S: ${t} OK done`);
    const found = await breaks('tag-syntax', {}, text, '"* BAD Error in IMAP command received by server."');
    expect(found.rfc).toBe('RFC 9051 §9');
  });

  it('tag-reuse fails when a tag used before is refused', async () => {
    const text = script(...opening({}).lines, 'C: mw.1 NOOP', 'S: mw.1 OK done', 'C: mw.1 NOOP', 'S: mw.1 BAD tag already used');
    await breaks('tag-reuse', {}, text, 'a second time: "mw.1 BAD tag already used"');
  });

  it('unknown-command fails on an untagged BAD and a close', async () => {
    const o = opening({});
    const t = o.tag();
    const text = script(...o.lines, `C: ${t} MAILWIRECHECK`, 'S: * BAD unknown command');
    await breaks('unknown-command', {}, text, 'must get a tagged BAD; got "* BAD unknown command"');
  });

  it('unknown-command fails on a tagged NO', async () => {
    const o = opening({});
    const t = o.tag();
    await breaks('unknown-command', {}, script(...o.lines, `C: ${t} MAILWIRECHECK`, `S: ${t} NO what`), `got "${t} NO what"`);
  });

  it('unknown-command fails when the connection no longer answers after the BAD', async () => {
    const o = opening({});
    const [t, u] = [o.tag(), o.tag()];
    await breaks('unknown-command', {}, script(...o.lines, `C: ${t} MAILWIRECHECK`, `S: ${t} BAD unknown`, `C: ${u} NOOP`, `S: ${u} BAD not now`), 'a NOOP was not answered OK');
  });

  it('literal-sync fails when a synchronizing literal gets a BAD instead of the go-ahead', async () => {
    const o = opening({});
    const t = o.tag();
    const found = await breaks('literal-sync', {}, script(...o.lines, `C: ${t} ID ("name" {8}`, `S: ${t} BAD literals not supported`), 'must get a "+" go-ahead');
    expect(found.rfc).toBe('RFC 9051 §4.3');
  });

  it('literal-sync passes when untagged data comes before the go-ahead', async () => {
    const o = opening({});
    const t = o.tag();
    const { byId } = await scripted({}, { 'literal-sync': script(...o.lines, `C: ${t} ID ("name" {8}`, 'S: * 3 EXISTS', 'S: + go ahead', 'C: mailwire)', 'S: * ID NIL', `S: ${t} OK done`) });
    expect(byId['literal-sync']).toMatchObject({ verdict: 'pass', detail: '{8} (ID before login) got the go-ahead "+ go ahead", then the command was answered OK' });
  });

  it('literal-sync fails when the command is refused after the literal', async () => {
    const o = opening({});
    const t = o.tag();
    await breaks('literal-sync', {}, script(...o.lines, `C: ${t} ID ("name" {8}`, 'S: + go ahead', 'C: mailwire)', `S: ${t} BAD bad ID`), `the command got "${t} BAD bad ID"`);
  });

  it('literal-sync after login (STATUS, no ID offered) fails when the literal is refused', async () => {
    const o = opening({ login: true }, { login: true, authedCaps: 'IMAP4rev1 LITERAL+' });
    const t = o.tag();
    const text = script(...o.lines, `C: ${t} STATUS {5}`, `S: ${t} NO no`);
    await breaks('literal-sync', { login: true }, text, '(STATUS after login)');
  });

  it('literal-sync is not run without ID and without a token', async () => {
    const { byId } = await scripted({}, { 'literal-sync': script(...opening({}, { caps: 'IMAP4rev1 LITERAL+' }).lines) });
    expect(byId['literal-sync']).toMatchObject({ verdict: 'not run' });
    expect(byId['literal-sync']!.detail).toContain('does not offer ID');
  });

  it('literal-nonsync fails when the server sends a go-ahead for {8+}', async () => {
    const o = opening({});
    const t = o.tag();
    const found = await breaks('literal-nonsync', {}, script(...o.lines, `C: ${t} ID ("name" {8+}`, 'C: mailwire)', 'S: + Ready', `S: ${t} OK done`), 'the server sent "+ Ready"');
    expect(found.rfc).toBe('RFC 7888 §3');
  });

  it('literal-nonsync is not offered without LITERAL+ or LITERAL-', async () => {
    const { byId } = await scripted({}, { 'literal-nonsync': script(...opening({}, { caps: 'IMAP4rev1 ID' }).lines) });
    expect(byId['literal-nonsync']?.verdict).toBe('not offered');
  });

  describe('literal-minus-limit (LITERAL- without LITERAL+)', () => {
    const minus = 'IMAP4rev1 ID LITERAL-';
    const overLimit = (o: ReturnType<typeof opening>, t: string, u: string) => [`C: ${t} ID ("name" {4097+}`, ...`${overLimitLiteral()})`.split('\r\n').map((l) => `C: ${l}`), `C: ${u} NOOP`];

    it('passes when the literal is refused with a tagged BAD [TOOBIG]', async () => {
      const o = opening({}, { caps: minus });
      const [t, u] = [o.tag(), o.tag()];
      const { byId, code } = await scripted({}, { 'literal-minus-limit': script(...o.lines, ...overLimit(o, t, u), `S: ${t} BAD [TOOBIG] literal too big`, `S: ${u} OK done`) });
      expect(byId['literal-minus-limit']).toMatchObject({ verdict: 'pass', rfc: 'RFC 7888 §4' });
      expect(code).toBe(EXIT.ok);
    });

    it('passes when the server says BYE and closes', async () => {
      const o = opening({}, { caps: minus });
      const [t, u] = [o.tag(), o.tag()];
      const { byId } = await scripted({}, { 'literal-minus-limit': script(...o.lines, ...overLimit(o, t, u), 'S: * BYE Input buffer full, aborting') });
      expect(byId['literal-minus-limit']?.verdict).toBe('pass');
    });

    it('fails when the server runs the literal as commands', async () => {
      const o = opening({}, { caps: minus });
      const [t, u] = [o.tag(), o.tag()];
      await breaks('literal-minus-limit', {}, script(...o.lines, ...overLimit(o, t, u), `S: ${t} BAD what`, 'S: mwlit OK NOOP completed', `S: ${u} OK done`), 'ran the literal\'s octets as commands');
    });

    it('fails when the server takes it', async () => {
      const o = opening({}, { caps: minus });
      const [t, u] = [o.tag(), o.tag()];
      await breaks('literal-minus-limit', {}, script(...o.lines, ...overLimit(o, t, u), 'S: * ID NIL', `S: ${t} OK done`, `S: ${u} OK done`), 'was taken');
    });
  });

  it('line-length fails when an 8,192-octet ID line gets BYE', async () => {
    const o = opening({});
    const t = o.tag();
    const found = await breaks('line-length', {}, script(...o.lines, `C: ${idOfLength(t, IMAP_COMMAND_LINE)!.slice(0, -2)}`, 'S: * BYE Command line too long.'), '"* BYE Command line too long."');
    expect(found.rfc).toBe('RFC 7162 §4');
  });

  it('line-length fails when the line gets a tagged BAD', async () => {
    const o = opening({});
    const t = o.tag();
    await breaks('line-length', {}, script(...o.lines, `C: ${idOfLength(t, IMAP_COMMAND_LINE)!.slice(0, -2)}`, `S: ${t} BAD line too long`), `got "${t} BAD line too long"`);
  });

  it('capability-after-starttls fails when STARTTLS is still listed over TLS', async () => {
    const text = script(...opening({ starttls: true }, { tlsCaps: `${CAPS} STARTTLS` }).lines);
    const found = await breaks('capability-after-starttls', { starttls: true }, text, 'still list STARTTLS');
    expect(found.rfc).toBe('RFC 9051 §6.2.1');
  });

  it('starttls-over-tls fails when STARTTLS on the implicit TLS port gets NO', async () => {
    const o = opening({});
    const t = o.tag();
    await breaks('starttls-over-tls', {}, script(...o.lines, `C: ${t} STARTTLS`, `S: ${t} NO not now`), 'on the implicit TLS port must get a tagged BAD');
  });

  it('starttls-over-tls fails when a second STARTTLS gets NO', async () => {
    const o = opening({ starttls: true });
    const t = o.tag();
    await breaks('starttls-over-tls', { starttls: true }, script(...o.lines, `C: ${t} STARTTLS`, `S: ${t} NO not now`), 'after a successful STARTTLS must get a tagged BAD');
  });

  it('capability-after-login fails when the CAPABILITY code of the login differs from CAPABILITY', async () => {
    const text = script(...opening({ login: true }, { login: true, loginOk: '[CAPABILITY IMAP4rev1 ID LITERAL+ IDLE] Logged in' }).lines);
    const found = await breaks('capability-after-login', { login: true }, text, 'differ from what CAPABILITY lists');
    expect(found.rfc).toBe('RFC 9051 §6.2.2');
  });

  it('capability-after-login passes when the code matches, and says what changed', async () => {
    const text = script(...opening({ login: true }, { login: true, loginOk: `[CAPABILITY ${AUTHED_CAPS}] Logged in` }).lines);
    const { byId } = await scripted({ login: true }, { 'capability-after-login': text });
    expect(byId['capability-after-login']?.verdict).toBe('pass');
    // Compared with what the probe saw before login (the look: IMAP4rev1 ID LITERAL+ SASL-IR AUTH=XOAUTH2).
    expect(byId['capability-after-login']?.detail).toContain("matching the list sent with the login's OK: changed (+UIDPLUS +MOVE -SASL-IR -AUTH=XOAUTH2; the server MAY)");
  });

  it('capability-after-login fails when the list after login has no IMAP4rev1', async () => {
    await breaks('capability-after-login', { login: true }, script(...opening({ login: true }, { login: true, authedCaps: 'ID LITERAL+' }).lines), 'must list IMAP4rev1 or IMAP4rev2');
  });

  it('sasl-two-step fails when AUTHENTICATE without an initial response is refused', async () => {
    const o = opening({});
    const t = o.tag();
    const text = script(...o.lines, `C: ${t} AUTHENTICATE XOAUTH2`, `S: ${t} BAD initial response required`);
    // The other checks that log in cannot get to their check either: they fail too, saying which step went wrong.
    const { code, byId } = await scripted({ login: true }, { 'sasl-two-step': text });
    expect(byId['sasl-two-step']).toMatchObject({ verdict: 'fail', rfc: 'RFC 9051 §6.2.2' });
    expect(byId['sasl-two-step']!.detail).toContain(`the server answered "${t} BAD initial response required"`);
    expect(failures(byId)).toEqual(['sasl-two-step']);
    expect(code).toBe(EXIT.failed);
  });

  it('sasl-ir-one-line fails when the initial response on the line is refused', async () => {
    const o = opening({});
    const t = o.tag();
    const text = script(...o.lines, `C: ${t} AUTHENTICATE XOAUTH2 ${XOAUTH2_RESPONSE}`, `S: ${t} BAD initial response not allowed`);
    const found = await breaks('sasl-ir-one-line', { login: true }, text, `got "${t} BAD initial response not allowed"`);
    expect(found.rfc).toBe('RFC 4959 §3');
  });

  it('sasl-ir-one-line fails when the server asks with "+" for the response the line already carried', async () => {
    const o = opening({});
    const t = o.tag();
    const text = script(...o.lines, `C: ${t} AUTHENTICATE XOAUTH2 ${XOAUTH2_RESPONSE}`, 'S= "+ \\r\\n"', 'C: ', `S: ${t} NO no response`);
    await breaks('sasl-ir-one-line', { login: true }, text, `got "+ " instead of the outcome, then "${t} NO no response"`);
  });

  it('sasl-ir-one-line is not offered when the connection lists no SASL-IR', async () => {
    const { byId } = await scripted({ login: true }, { 'sasl-ir-one-line': script(...opening({}, { caps: 'IMAP4rev1 ID LITERAL+ AUTH=XOAUTH2' }).lines) });
    expect(byId['sasl-ir-one-line']?.verdict).toBe('not offered');
  });

  it('--plaintext with a token: no check logs in (the scripts hold no AUTHENTICATE, and replay byte for byte); the session checks are not run', async () => {
    const { code, byId } = await scripted({ plaintext: true, login: true });
    // No mechanism is offered without TLS here, so they are not offered; plaintext.test.ts has a server that offers one.
    for (const id of ['capability-after-login', 'sasl-two-step', 'sasl-ir-one-line']) expect(['not run', 'not offered'], id).toContain(byId[id]?.verdict);
    expect(byId['literal-sync']?.detail).toContain('ID before login');
    expect(byId['line-length']?.detail).toContain('ID before login');
    expect(byId['capability-after-starttls']?.verdict).toBe('not offered');
    expect(byId['starttls-over-tls']?.verdict).toBe('not run');
    expect(failures(byId)).toEqual([]);
    expect(code).toBe(EXIT.ok);
  });

  it('the secret stays out of the report: no check detail holds the token or its base64', async () => {
    const { byId } = await scripted({ login: true });
    const text = JSON.stringify(byId);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(XOAUTH2_RESPONSE.slice(0, 24));
  });
});
