/**
 * The checks of what a server advertises, read off the lines it sent: the greeting, and
 * the capability list (IMAP CAPABILITY atoms, SMTP EHLO keywords, POP3 CAPA lines). They
 * need no working session, so `check` reports them also where the connection failed
 * after the server said them — a malformed list is often why it failed.
 */
import type { Protocol } from '../endpoint.js';
import type { CheckResult, Verdict } from './verdict.js';

const GREETINGS: Record<Protocol, { rfc: string; shape: RegExp; wanted: string }> = {
  imap: { rfc: 'RFC 9051 §7.1', shape: /^\* (OK|PREAUTH)( |$)/i, wanted: 'an untagged OK or PREAUTH greeting' },
  smtp: { rfc: 'RFC 5321 §4.2', shape: /^220[ -]/, wanted: 'a 220 greeting' },
  pop3: { rfc: 'RFC 1939 §4', shape: /^\+OK( |$)/, wanted: 'a +OK greeting' },
};

export function greetingCheck(protocol: Protocol, greeting: string): CheckResult {
  const { rfc, shape, wanted } = GREETINGS[protocol];
  const ok = shape.test(greeting);
  return { id: 'greeting', rfc, verdict: ok ? 'pass' : 'fail', detail: ok ? wanted : `${wanted} was wanted; the server said ${JSON.stringify(greeting.slice(0, 120))}` };
}

/** The capability checks of one protocol, for the list the server sent (over TLS where it upgraded). */
export function capabilityChecks(protocol: Protocol, secured: readonly string[]): CheckResult[] {
  const out: CheckResult[] = [];
  const add = (id: string, rfc: string, verdict: Verdict, detail: string) => out.push({ id, rfc, verdict, detail });
  const upper = secured.map((c) => c.toUpperCase());
  const notAtoms = secured.filter((c) => !/^[^(){ %*"\\\]\x00-\x1f\x7f]+$/.test(c));
  const notKeywords = secured.filter((c) => !/^[A-Za-z0-9][A-Za-z0-9-]*( |$)/.test(c));
  if (protocol === 'imap') {
    add('capability-version', 'RFC 9051 §6.1.1', upper.some((c) => c === 'IMAP4REV1' || c === 'IMAP4REV2') ? 'pass' : 'fail', 'CAPABILITY lists IMAP4rev1 or IMAP4rev2');
    add('capability-syntax', 'RFC 9051 §9', secured.length > 0 && notAtoms.length === 0 ? 'pass' : 'fail', notAtoms.length > 0 ? `not atoms: ${notAtoms.map((c) => JSON.stringify(c)).join(' ')}` : secured.length > 0 ? 'each capability is an atom' : 'no capabilities listed');
    add('sasl-ir', 'RFC 4959', upper.includes('SASL-IR') ? 'pass' : 'not offered', 'the initial response on the AUTHENTICATE line');
  } else if (protocol === 'smtp') {
    add('ehlo-keywords', 'RFC 5321 §4.1.1.1', notKeywords.length === 0 ? 'pass' : 'fail', notKeywords.length > 0 ? `not a keyword with parameters: ${notKeywords.map((c) => JSON.stringify(c)).join(' ')}` : 'each EHLO line is a keyword with parameters');
    add('pipelining', 'RFC 2920', upper.includes('PIPELINING') ? 'pass' : 'not offered', 'commands batched in one write');
    add('enhanced-status-codes', 'RFC 2034', upper.includes('ENHANCEDSTATUSCODES') ? 'pass' : 'not offered', 'replies carry class.subject.detail codes');
  } else {
    add('capa', 'RFC 2449 §5', secured.length > 0 ? 'pass' : 'fail', secured.length > 0 ? 'CAPA lists the capabilities' : 'CAPA listed nothing');
    add('sasl-capability', 'RFC 5034 §6', upper.some((c) => c.startsWith('SASL ')) ? 'pass' : 'not offered', 'the SASL capability names the mechanisms');
  }
  return out;
}
