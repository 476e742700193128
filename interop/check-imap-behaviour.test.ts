/**
 * `mailwire check`'s IMAP behaviour checks against the real Dovecot, with a valid token
 * (the checks that need a session run) and without: each check's verdict on the
 * TLS-required STARTTLS endpoint (127.0.0.2) and the implicit-TLS port. And `probe
 * --fingerprint`'s longest IMAP line, measured after login.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { IMAP_BEHAVIOUR_CHECKS } from '../packages/cli/src/checks/imap-behaviour.js';
import { EXIT } from '../packages/cli/src/exit-codes.js';
import type { CliIo } from '../packages/cli/src/io.js';
import { check } from '../packages/cli/src/verbs/check.js';
import { probe, type ProbeReport } from '../packages/cli/src/verbs/probe.js';
import { mintToken } from './lab.js';

const lab = inject('lab');
const now = () => Math.floor(Date.now() / 1000);
let dir: string;
let caFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailwire-check-imap-dovecot-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, lab.ca);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Found = { id: string; verdict: string; rfc: string; detail: string };

async function run(url: string, withToken: boolean): Promise<{ code: number; byId: Record<string, Found> }> {
  const out: string[] = [];
  const io: CliIo = { env: { T: mintToken(lab.secret, { sub: lab.oauthUser, exp: now() + 600 }) }, out: (l) => out.push(l), err: (l) => out.push(l) };
  const code = await check([url, '--ca', caFile, '--user', lab.oauthUser, ...(withToken ? ['--token-env', 'T'] : []), '--json'], io);
  const { checks } = JSON.parse(out.join('\n')) as { checks: Found[] };
  return { code, byId: Object.fromEntries(checks.map((c) => [c.id, c])) };
}

describe('mailwire check: IMAP behaviour against Dovecot', () => {
  const targets = (): [string, string][] => [
    ['STARTTLS, TLS required', `imap://${lab.insecureHost}:${lab.ports.imap}`],
    ['implicit TLS', `imaps://${lab.secureHost}:${lab.ports.imaps}`],
  ];

  for (const withToken of [true, false]) {
    it(`each check's verdict ${withToken ? 'with a valid token' : 'without a token'}`, async () => {
      for (const [name, url] of targets()) {
        const { code, byId } = await run(url, withToken);
        const label = `${name} ${withToken ? 'with' : 'without'} a token`;
        const verdicts = Object.fromEntries(IMAP_BEHAVIOUR_CHECKS.map((c) => [c.id, byId[c.id]?.verdict]));
        expect(verdicts, label).toEqual({
          'tags-pipelined': 'pass',
          // The finding: Dovecot 2.3 cannot read a tag with "]" (legal: tag = 1*<any ASTRING-CHAR except "+">,
          // ASTRING-CHAR includes resp-specials "]") and answers "* BAD Error in IMAP command received by server."
          'tag-syntax': 'fail',
          'tag-reuse': 'pass',
          'unknown-command': 'pass',
          'literal-sync': 'pass',
          'literal-nonsync': 'pass',
          // Dovecot offers LITERAL+ (before and after login): no LITERAL- limit to test.
          'literal-minus-limit': 'not offered',
          'line-length': 'pass',
          'capability-after-starttls': url.startsWith('imaps') ? 'not offered' : 'pass',
          'starttls-over-tls': 'pass',
          'capability-after-login': withToken ? 'pass' : 'not run',
          'sasl-two-step': withToken ? 'pass' : 'not run',
          'sasl-ir-one-line': withToken ? 'pass' : 'not run',
        });
        expect(byId['tag-syntax']?.detail, label).toContain('"* BAD Error in IMAP command received by server."');
        expect(byId['literal-sync']?.detail, label).toContain(withToken ? 'ID after login' : 'ID before login');
        expect(byId['line-length']?.detail, label).toContain(`ID ${withToken ? 'after' : 'before'} login`);
        expect(IMAP_BEHAVIOUR_CHECKS.every((c) => /^RFC \d+ §[\d.]+$/.test(byId[c.id]!.rfc)), label).toBe(true);
        expect(code, label).toBe(EXIT.failed);
      }
    });
  }

  it('capability-after-login says what changed after login', async () => {
    const { byId } = await run(`imaps://${lab.secureHost}:${lab.ports.imaps}`, true);
    expect(byId['capability-after-login']?.detail).toMatch(/changed \(.*-AUTH=XOAUTH2.*; the server MAY\)/);
  });

  it('probe --fingerprint measures the longest IMAP command line Dovecot takes after login', async () => {
    const out: string[] = [];
    const token = mintToken(lab.secret, { sub: lab.oauthUser, exp: now() + 600 });
    const io: CliIo = { env: { T: token }, out: (l) => out.push(l), err: (l) => out.push(l) };
    const code = await probe([`imaps://${lab.secureHost}:${lab.ports.imaps}`, '--ca', caFile, '--user', lab.oauthUser, '--token-env', 'T', '--fingerprint', '--json'], io);
    const { fingerprint } = JSON.parse(out.join('\n')) as ProbeReport;
    expect(code).toBe(EXIT.ok);
    // Dovecot 2.3's imap_max_line_length (64 KiB), as it counts it: 65,549 octets of LIST line with its CRLF.
    expect(fingerprint?.longestLineOctets).toBe(65549);
    expect(fingerprint?.longestLine).toMatch(/^65,549 octets, CRLF included \(\d+ connections\)$/);
  });
});
