import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { commandLine, encodeCommand } from './command.js';
import { parseStatus } from './status.js';

describe('parseStatus (RFC 2449 §8 response codes)', () => {
  it.each([
    ['[IN-USE] Do you have another POP session running?', 'IN-USE', 'Do you have another POP session running?'],
    ['[LOGIN-DELAY] wait 300 seconds', 'LOGIN-DELAY', 'wait 300 seconds'],
    ['[SYS/TEMP] try later', 'SYS/TEMP', 'try later'],
    ['[SYS/PERM] broken', 'SYS/PERM', 'broken'],
    ['[AUTH] Username and Password not accepted.', 'AUTH', 'Username and Password not accepted.'],
    ['[auth]', 'AUTH', ''],
  ])('%s', (text, code, rest) => {
    expect(parseStatus(false, text)).toEqual({ ok: false, code, text: rest, line: text });
  });

  it('text without a code, or with a "[" that is not one, is all text', () => {
    for (const t of ['Authentication failure: unknown user name or bad password.', 'ready. [U04yUFIw]', '[not closed', '[] x', '[A]B']) {
      expect(parseStatus(true, t)).toEqual({ ok: true, text: t, line: t });
    }
  });
});

describe('the command encoder', () => {
  it('writes keyword and arguments with single spaces and CRLF', () => {
    expect(Buffer.from(encodeCommand('top', [3, 10])).toString()).toBe('TOP 3 10\r\n');
    expect(commandLine('PASS', ['with space'])).toBe('PASS with space');
  });

  it('refuses CR, LF or NUL in any argument (command injection) with EUSAGE', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('\r', '\n', '\0'), fc.string(), (a, bad, b) => {
        expect(() => encodeCommand('USER', [`${a}${bad}${b}`])).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
      }),
    );
  });

  it('refuses a keyword that is not 3-4 letters', () => {
    expect(() => commandLine('RETR\r\nDELE')).toThrow(expect.objectContaining({ code: 'EUSAGE' }));
  });
});
