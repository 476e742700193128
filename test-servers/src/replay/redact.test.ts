import { describe, expect, it } from 'vitest';
import { formatTranscript, parseTranscript } from '@mailwire/transcript';
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

describe('redactTranscript with a non-ASCII secret', () => {
  it('finds a UTF-8 password in plain text and inside base64, where the lines are bytes', () => {
    const password = 'pässwörd';
    const utf8 = (s: string) => Buffer.from(s, 'utf8');
    const t = parseTranscript('S: +OK\n');
    t.entries.push(
      { dir: 'C', bytes: Buffer.concat([utf8(`a1 LOGIN sam ${password}`), utf8('\r\n')]), line: 0 },
      { dir: 'C', bytes: utf8(`${utf8(`\x00sam\x00${password}`).toString('base64')}\r\n`), line: 0 },
    );
    const r = redactTranscript(t, [password]);
    const text = formatTranscript(r);
    expect(text).toContain(`C: a1 LOGIN sam ${SEED_FAKE_TOKEN}`);
    expect(text).toContain(`C: ${utf8(`\x00sam\x00${SEED_FAKE_TOKEN}`).toString('base64')}`);
    expect(r.entries.some((e) => Buffer.from(e.bytes).includes(utf8(password)))).toBe(false);
  });
});
