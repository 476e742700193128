import { startTestServers } from '@mailwire/test-servers';
import { describe, expect, it } from 'vitest';

import { EXIT } from '../exit-codes.js';
import { checkAgainstScript, runCheck, smtpOpening, withFile } from './check.test-util.js';
import { SMTP_COMMAND_LINE, noopOfLength } from './smtp-behaviour.js';

const EHLO = ['mx.example.com', 'PIPELINING', 'AUTH PLAIN XOAUTH2'];
/** The probe's look at the server: its opening, then QUIT. */
const look = [...smtpOpening(EHLO), 'C: QUIT', 'S: 221 bye'].join('\n');

describe('SMTP behaviour checks', () => {
  it('line-length: a 512-octet NOOP is exactly 512 octets with its CRLF', () => {
    expect(Buffer.byteLength(noopOfLength(SMTP_COMMAND_LINE))).toBe(512);
  });

  it.each(['outlook', 'gmail', 'dovecot'] as const)('%s personality: line-length passes', async (personality) => {
    const servers = await startTestServers({ personality, users: [] });
    try {
      const { byId } = await withFile(servers.ca, (ca) => runCheck([`submission://127.0.0.1:${servers.smtp.port}`, '--ca', ca]));
      expect(byId['line-length']).toMatchObject({ verdict: 'pass', rfc: 'RFC 5321 §4.5.3.1.4' });
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
});
