/**
 * `mailwire check` with a valid token against the real Dovecot's POP3 and submission: each
 * behaviour check on the wire with the verdict Dovecot earns, on the TLS-required endpoint
 * (127.0.0.2, STLS/STARTTLS) and on implicit TLS. A message with dot-leading body lines is
 * put in the user's INBOX first (IMAP APPEND), so POP3 dot-stuffing has something to judge;
 * SMTP dot-stuffing (with --send-test-message) sends one message to the user, which
 * Dovecot relays to the lab's sink.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { DOT_LINES } from '../packages/cli/src/checks/smtp-dot-stuffing.js';
import type { CheckResult } from '../packages/cli/src/checks/verdict.js';
import { EXIT } from '../packages/cli/src/exit-codes.js';
import type { CliIo } from '../packages/cli/src/io.js';
import { check } from '../packages/cli/src/verbs/check.js';
import { appendOverImap } from './imap-as.js';
import { mintToken } from './lab.js';

const lab = inject('lab');
const token = () => mintToken(lab.secret, { sub: lab.oauthUser, exp: Math.floor(Date.now() / 1000) + 600 });
let dir: string;
let caFile: string;

const DOTTED = ['From: <bob@example.test>', `To: <${lab.oauthUser}>`, 'Subject: dots for check', 'Message-ID: <check-dots-1@example.test>', '', '.a body line with a dot', '.', '..', 'the end', ''].join('\r\n');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailwire-check-behaviour-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, lab.ca);
  await appendOverImap(lab, lab.oauthUser, token(), [DOTTED]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(url: string, extra: string[] = []): Promise<{ code: number; byId: Record<string, CheckResult> }> {
  const out: string[] = [];
  const io: CliIo = { env: { T: token() }, out: (l) => out.push(l), err: (l) => out.push(l) };
  const code = await check([url, '--ca', caFile, '--user', lab.oauthUser, '--token-env', 'T', ...extra, '--json'], io);
  const report = JSON.parse(out.join('\n')) as { checks: CheckResult[] };
  return { code, byId: Object.fromEntries(report.checks.map((c) => [c.id, c])) };
}

const verdicts = (byId: Record<string, CheckResult>, ids: string[]) => Object.fromEntries(ids.map((id) => [id, byId[id]?.verdict]));

describe('mailwire check, POP3 and submission behaviour, against Dovecot with a valid token', () => {
  const POP3_IDS = ['line-length', 'multiline-responses', 'pipelining-in-order', 'capa-after-stls', 'auth-two-step', 'capa-after-login', 'dot-stuffing'];
  const pop3 = (): [string, string][] => [
    ['POP3 STLS, TLS required', `pop3://${lab.insecureHost}:${lab.ports.pop3}`],
    ['POP3 implicit TLS', `pop3s://${lab.secureHost}:${lab.ports.pop3s}`],
  ];

  it('POP3: every behaviour check passes (capa-after-stls not offered on implicit TLS), dot-stuffing on the appended message', async () => {
    for (const [name, url] of pop3()) {
      const { code, byId } = await run(url);
      const implicit = url.startsWith('pop3s:');
      expect(verdicts(byId, POP3_IDS), name).toEqual({ ...Object.fromEntries(POP3_IDS.map((id) => [id, 'pass'])), ...(implicit ? { 'capa-after-stls': 'not offered' } : {}) });
      expect(byId['dot-stuffing']!.detail, name).toMatch(/: [1-9]\d* lines? beginning with "\." came stuffed as "\.\."/);
      expect(byId['multiline-responses']!.detail, name).toMatch(/^CAPA \(\d+ lines\), LIST \(\d+ lines?\), UIDL \(\d+ lines?\)/);
      expect(Object.values(byId).every((c) => /^RFC \d+/.test(c.rfc)), name).toBe(true);
      expect(code, name).toBe(EXIT.ok);
    }
  });

  const SMTP_IDS = ['line-length', 'multiline-replies', 'pipelining-in-order', 'starttls-ehlo', 'auth-two-step', 'pipelining-transaction', 'dot-stuffing'];

  it('submission STARTTLS, TLS required: every behaviour check passes; dot-stuffing sends one message, relayed with its dot lines intact', async () => {
    const before = new Set(readdirSync(lab.sinkDir));
    const { code, byId } = await run(`submission://${lab.insecureHost}:${lab.ports.submission}`, ['--send-test-message']);
    expect(verdicts(byId, SMTP_IDS)).toEqual(Object.fromEntries(SMTP_IDS.map((id) => [id, 'pass'])));
    expect(byId['dot-stuffing']!.detail).toContain(`one message sent to ${lab.oauthUser}`);
    expect(code).toBe(EXIT.ok);
    const fresh = readdirSync(lab.sinkDir).filter((f) => f.endsWith('.eml') && !before.has(f));
    expect(fresh).toHaveLength(1);
    const got = readFileSync(join(lab.sinkDir, fresh[0]!), 'latin1').split('\r\n');
    expect(got.filter((l) => DOT_LINES.includes(l))).toEqual(DOT_LINES);
  });

  it('submission implicit TLS: starttls-ehlo is not offered, the rest pass; without --send-test-message nothing is sent', async () => {
    const before = new Set(readdirSync(lab.sinkDir));
    const { code, byId } = await run(`smtps://${lab.secureHost}:${lab.ports.submissions}`);
    expect(verdicts(byId, SMTP_IDS)).toEqual({ ...Object.fromEntries(SMTP_IDS.map((id) => [id, 'pass'])), 'starttls-ehlo': 'not offered', 'dot-stuffing': 'not run' });
    expect(code).toBe(EXIT.ok);
    expect(readdirSync(lab.sinkDir).filter((f) => !before.has(f))).toEqual([]);
  });
});
