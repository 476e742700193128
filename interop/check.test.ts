/**
 * `mailwire check` against the real Dovecot: every check reported with a verdict and its
 * RFC, for IMAP, POP3 and submission, on the TLS-required endpoint (127.0.0.2, where
 * Dovecot offers no login before TLS) and on the implicit-TLS ports.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { EXIT } from '../packages/cli/src/exit-codes.js';
import type { CliIo } from '../packages/cli/src/io.js';
import { check } from '../packages/cli/src/verbs/check.js';

const lab = inject('lab');
let dir: string;
let caFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailwire-check-dovecot-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, lab.ca);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(url: string): Promise<{ code: number; checks: { id: string; verdict: string; rfc: string }[] }> {
  const out: string[] = [];
  const io: CliIo = { env: {}, out: (l) => out.push(l), err: (l) => out.push(l) };
  const code = await check([url, '--ca', caFile, '--user', lab.oauthUser, '--json'], io);
  return { code, checks: (JSON.parse(out.join('\n')) as { checks: { id: string; verdict: string; rfc: string }[] }).checks };
}

describe('mailwire check against Dovecot', () => {
  const p = () => lab.ports;
  const targets = (): [string, string][] => [
    ['IMAP STARTTLS, TLS required', `imap://${lab.insecureHost}:${p().imap}`],
    ['IMAP implicit TLS', `imaps://${lab.secureHost}:${p().imaps}`],
    ['POP3 STLS, TLS required', `pop3://${lab.insecureHost}:${p().pop3}`],
    ['POP3 implicit TLS', `pop3s://${lab.secureHost}:${p().pop3s}`],
    ['submission STARTTLS, TLS required', `submission://${lab.insecureHost}:${p().submission}`],
    ['submission implicit TLS', `smtps://${lab.secureHost}:${p().submissions}`],
  ];

  it('reports every check with a verdict and its RFC section, and Dovecot passes them all', async () => {
    for (const [name, url] of targets()) {
      const { code, checks } = await run(url);
      expect(checks.length, name).toBeGreaterThan(3);
      expect(checks.every((c) => ['pass', 'fail', 'not offered', 'not run'].includes(c.verdict) && /^RFC \d+/.test(c.rfc)), name).toBe(true);
      expect(checks.filter((c) => c.verdict === 'fail').map((c) => c.id), name).toEqual([]);
      expect(code, name).toBe(EXIT.ok);
      const byId = Object.fromEntries(checks.map((c) => [c.id, c.verdict]));
      expect(byId['greeting'], name).toBe('pass');
      if (byId['oauth-mechanism'] === 'pass') expect(byId['invalid-token-refused'], name).toBe('pass');
    }
  });

  it('on the loopback plaintext ports Dovecot offers AUTH before STARTTLS, and check says so', async () => {
    const { code, checks } = await run(`submission://${lab.secureHost}:${p().submission}`);
    expect(checks.find((c) => c.id === 'no-auth-before-tls')?.verdict).toBe('fail');
    expect(code).toBe(EXIT.failed);
  });
});
