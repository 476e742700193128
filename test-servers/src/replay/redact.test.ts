import { describe, expect, it } from 'vitest';
import { formatTranscript, parseTranscript } from '../transcript.js';
import { redactTranscript, SEED_FAKE_TOKEN } from './redact.js';

const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64');
const REAL = 'eyJ0eXAiOiJKV1QiLCJub25jZSI6IlJFQUwifQ.real-token-value';

describe('redactTranscript', () => {
  it('replaces a token inside base64 initial responses and response lines, and in plain text, and says so', () => {
    const t = parseTranscript([
      '# source: a recording',
      'S: * OK ready',
      `C: A01 AUTHENTICATE XOAUTH2 ${b64(`user=a@b\x01auth=Bearer ${REAL}\x01\x01`)}`,
      'S: A01 OK done',
      'C: AUTH XOAUTH2',
      'S: 334 ',
      `C: ${b64(`n,a=a@b,\x01auth=Bearer ${REAL}\x01\x01`)}`,
      'C: a2 LOGIN a@b hunter2',
      'S: a2 NO refused hunter2',
    ].join('\n'));
    const r = redactTranscript(t, [REAL, 'hunter2']);
    const text = formatTranscript(r);
    expect(text).not.toContain(REAL);
    expect(text).not.toContain(b64(`user=a@b\x01auth=Bearer ${REAL}\x01\x01`));
    expect(text).toContain(`C: A01 AUTHENTICATE XOAUTH2 ${b64(`user=a@b\x01auth=Bearer ${SEED_FAKE_TOKEN}\x01\x01`)}`);
    expect(text).toContain(`C: ${b64(`n,a=a@b,\x01auth=Bearer ${SEED_FAKE_TOKEN}\x01\x01`)}`);
    expect(text).toContain(`C: a2 LOGIN a@b ${SEED_FAKE_TOKEN}`);
    // Server lines are not touched.
    expect(text).toContain('S: a2 NO refused hunter2');
    expect(r.headers).toEqual({ source: 'a recording', redacted: "secrets replaced by the seed's fake token" });
  });

  it('leaves base64 that does not carry a secret byte for byte', () => {
    const line = `C: ${b64('\x00user\x00other-password')}`;
    const t = parseTranscript(`S: +OK\n${line}\n`);
    expect(formatTranscript(redactTranscript(t, [REAL]))).toContain(line);
  });
});
