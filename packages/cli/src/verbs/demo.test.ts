import { describe, expect, it } from 'vitest';

import { EXIT } from '../io.js';
import { recordingIo } from '../test-io.test-util.js';
import { DEMO_TOKEN, runDemo } from './demo.js';

describe('mailwire demo', () => {
  it('runs the whole flow against the outlook test servers and says every step behaved', async () => {
    const io = recordingIo();
    expect(await runDemo([], io)).toBe(EXIT.ok);
    const out = io.out();
    expect(io.err()).toBe('');
    expect(out).toContain('imap with SASL-IR    one line');
    expect(out).toContain('smtp                 two steps: AUTH XOAUTH2');
    // SMTP: the two-step form on the wire, the message accepted.
    expect(out).toContain('  C: AUTH XOAUTH2\n  S: 334 \n  C: [redacted]\n  S: 235 2.7.0 Authentication successful\n');
    // IMAP: one line, and the message read back.
    expect(out).toContain('  C: A2 AUTHENTICATE XOAUTH2 [redacted]\n  S: A2 OK AUTHENTICATE completed.\n');
    expect(out).toContain('subject "Hello from mailwire"');
    // The failures with their diagnosis.
    expect(out).toContain('hint: Microsoft refused the token');
    expect(out).toContain('EAUTH (535 5.7.139)');
    expect(out).toContain('provider calls: expired, fresh');
    expect(out).toContain('demo: all steps behaved as described');
    expect(out).not.toContain(DEMO_TOKEN.slice(0, 50));
  });

  it('takes no arguments (exit 2 through the usage error)', async () => {
    await expect(runDemo(['extra'], recordingIo())).rejects.toThrow('demo takes no arguments');
  });
});
