/**
 * The SMTP commands the client writes (RFC 5321 §4.1), built from caller-given values that
 * are checked first: a CR, LF or NUL in an address, a parameter or the EHLO name could end
 * the command and start another one (command injection), so it is refused with a
 * UsageError before anything is written. Addresses may not hold "<", ">" or spaces either
 * (they would break out of the path).
 */
import { UsageError } from '@mailwire/errors';

const CONTROL = /[\r\n\0]/;

function checked(value: string, what: string): string {
  if (CONTROL.test(value)) throw new UsageError(`The ${what} holds a CR, LF or NUL, which could inject an SMTP command; nothing was sent`, { protocol: 'smtp' });
  return value;
}

/** An address for a reverse-path or forward-path; '' is the null reverse-path. */
export function checkedAddress(address: string, what: string): string {
  checked(address, what);
  if (/[<>\s]/.test(address)) throw new UsageError(`The ${what} ${JSON.stringify(address)} holds "<", ">" or white space; nothing was sent`, { protocol: 'smtp' });
  return address;
}

/** A domain or address literal for EHLO/HELO. */
export function checkedEhloName(name: string): string {
  checked(name, 'EHLO name');
  if (name === '' || /\s/.test(name)) throw new UsageError(`The EHLO name ${JSON.stringify(name)} is empty or holds white space`, { protocol: 'smtp' });
  return name;
}

/** An esmtp-param (`SIZE=123`, `RET=HDRS`); checked for CR/LF/NUL and spaces. */
export function checkedParam(param: string): string {
  checked(param, 'SMTP parameter');
  if (/\s/.test(param) || param === '') throw new UsageError(`The SMTP parameter ${JSON.stringify(param)} is empty or holds white space`, { protocol: 'smtp' });
  return param;
}

/** xtext (RFC 3461 §4): "+" and characters outside "!".."~" or "=" become "+HH". */
export function xtext(value: string): string {
  let out = '';
  for (const ch of Buffer.from(value, 'utf8')) {
    out += ch < 0x21 || ch > 0x7e || ch === 0x2b || ch === 0x3d ? `+${ch.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(ch);
  }
  return out;
}

export function mailFrom(from: string, params: readonly string[]): string {
  return [`MAIL FROM:<${checkedAddress(from, 'sender address')}>`, ...params.map(checkedParam)].join(' ');
}

export function rcptTo(to: string, params: readonly string[]): string {
  return [`RCPT TO:<${checkedAddress(to, 'recipient address')}>`, ...params.map(checkedParam)].join(' ');
}
