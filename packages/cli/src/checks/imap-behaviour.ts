/**
 * IMAP behaviour checks: what the server does on the wire, each on its own connection —
 * tags (pipelined, reused, every legal character, an unknown command), literals (the
 * synchronizing go-ahead, LITERAL+/LITERAL-, the LITERAL- limit), the 8,192-octet line,
 * CAPABILITY after STARTTLS and after login, STARTTLS refused over TLS, and AUTHENTICATE
 * in two steps and with SASL-IR's initial response on its line — in the order they run.
 * They live in imap-tag-checks.ts, imap-literal-checks.ts and imap-session-checks.ts; the
 * commands they send are legal and harmless: NOOP, CAPABILITY, ID, STATUS, LIST.
 */
import type { BehaviourCheck } from './behaviour.js';
import { literalMinusLimit, literalNonSync, literalSync } from './imap-literal-checks.js';
import { capabilityAfterLogin, capabilityAfterStarttls, lineLength, saslIrOneLine, starttlsOverTls, twoStep } from './imap-session-checks.js';
import { pipelined, tagCharacters, tagReuse, unknownCommand } from './imap-tag-checks.js';

export { IMAP_COMMAND_LINE, IMAP_LINE_PROBE } from './imap-session-checks.js';

export const IMAP_BEHAVIOUR_CHECKS: readonly BehaviourCheck[] = [
  pipelined,
  tagCharacters,
  tagReuse,
  unknownCommand,
  literalSync,
  literalNonSync,
  literalMinusLimit,
  lineLength,
  capabilityAfterStarttls,
  starttlsOverTls,
  capabilityAfterLogin,
  twoStep,
  saslIrOneLine,
];
