/**
 * Dovecot 2.3 (IMAP, POP3, submission) with its oauth2 passdb: the texts recorded in
 * /work/shared/recipes/dovecot-oauth2.md — the capability greeting, `+ ` and `334 `
 * continuations with their trailing space, the XOAUTH2 error challenge
 * {"status":"401","schemes":"bearer","scope":"mail"}, `NO [AUTHENTICATIONFAILED]
 * Authentication failed.`, `-ERR [AUTH] Authentication failed.`, `535 5.7.8
 * Authentication failed.`. Dovecot treats a loopback client as secure, so AUTH works
 * before STARTTLS. Failure delays are off (auth_failure_delay = 0).
 */
import type { Personality } from './personality.js';

const IMAP_CAPS = ['IMAP4rev1', 'SASL-IR', 'LOGIN-REFERRALS', 'ID', 'ENABLE', 'IDLE', 'LITERAL+', '{STARTTLS}', '{AUTH}'];
const TIMING = '(0.001 + 0.000 secs).';

function cap(word: string): string {
  return word.charAt(0) + word.slice(1).toLowerCase();
}

export const dovecot: Personality = {
  name: 'dovecot',
  hostname: 'localhost',
  mechanisms: ['PLAIN', 'LOGIN', 'XOAUTH2', 'OAUTHBEARER'],
  authRequiresTls: false,
  errorChallenge: true,
  xoauth2Error: { status: '401', schemes: 'bearer', scope: 'mail' },
  oauthBearerError: { status: 'invalid_token' },
  imap: {
    greeting: (caps) => `[CAPABILITY ${caps}] Dovecot (Debian) ready.`,
    capabilities: IMAP_CAPS,
    // Dovecot's real list is longer (SORT, THREAD, CONDSTORE, QRESYNC, ...); only what
    // these servers implement is advertised, so no client is led into an extension they lack.
    authenticatedCapabilities: ['IMAP4rev1', 'SASL-IR', 'LOGIN-REFERRALS', 'ID', 'ENABLE', 'IDLE', 'UNSELECT', 'CHILDREN', 'NAMESPACE', 'UIDPLUS', 'ESEARCH', 'MOVE', 'STATUS=SIZE', 'LITERAL+', 'SPECIAL-USE'],
    capabilityInGreeting: true,
    ok: (command) => (['CAPABILITY', 'NOOP', 'ID', 'ENABLE', 'NAMESPACE', 'CREATE', 'DELETE', 'RENAME', 'SUBSCRIBE', 'UNSUBSCRIBE', 'STARTTLS'].includes(command) ? `${cap(command)} completed.` : `${cap(command)} completed ${TIMING}`),
    authCapability: 'code',
    authOk: () => 'Logged in',
    authFailed: '[AUTHENTICATIONFAILED] Authentication failed.',
    authAborted: 'Authentication aborted by client.',
    loginOk: () => 'Logged in',
    loginFailed: '[AUTHENTICATIONFAILED] Authentication failed.',
    privacyRequired: '[PRIVACYREQUIRED] Plaintext authentication disabled.',
    selectOk: (readOnly, command) => `[${readOnly ? 'READ-ONLY' : 'READ-WRITE'}] ${cap(command)} completed ${TIMING}`,
    logoutBye: 'Logging out',
    idleAccepted: 'idling',
    startTls: 'Begin TLS negotiation now.',
    bad: (detail) => `Error in IMAP command ${detail}`,
    noMailbox: '[NONEXISTENT] Mailbox doesn\'t exist: ',
    tokenExpiredBye: 'Disconnected: Access token expired',
    gmailExtensions: false,
  },
  pop3: {
    greeting: 'Dovecot (Debian) ready.',
    capa: ['CAPA', 'TOP', 'UIDL', 'RESP-CODES', 'PIPELINING', 'AUTH-RESP-CODE'],
    capaOk: '',
    authOk: 'Logged in.',
    authFailed: '[AUTH] Authentication failed.',
    authAborted: 'Authentication aborted by client.',
    userOk: '',
    passOk: 'Logged in.',
    passFailed: '[AUTH] Authentication failed.',
    stls: 'Begin TLS negotiation now.',
    quit: 'Logging out.',
    unknown: 'Unknown command.',
    wrongState: 'Unknown command.',
    noSuchMessage: 'There\'s no message',
    tokenExpired: '[AUTH] Access token expired.',
  },
  smtp: {
    greeting: () => 'localhost Dovecot ready.',
    ehloHello: () => 'localhost',
    keywords: ['8BITMIME', '{AUTH}', 'ENHANCEDSTATUSCODES', 'SIZE', '{STARTTLS}', 'PIPELINING'],
    helo: () => 'localhost',
    authOk: '235 2.7.0 Logged in.',
    authFailed: ['535 5.7.8 Authentication failed.'],
    authDisabled: null,
    authAborted: '501 5.5.2 Authentication aborted by client.',
    authLineLimit: 1030,
    authLineTooLong: ['500 5.5.2 Line too long'],
    lineTooLong: '500 5.5.2 Line too long',
    authRequired: '530 5.7.0 Authentication required.',
    tlsRequired: '530 5.7.0 TLS required.',
    startTls: '220 2.0.0 Begin TLS negotiation now.',
    mailOk: '250 2.1.0 Ok',
    rcptOk: '250 2.1.5 Ok',
    data: '354 OK',
    dataOk: (id) => `250 2.0.0 ${id} Message submitted`,
    rset: '250 2.0.0 OK',
    noop: '250 2.0.0 OK',
    quit: '221 2.0.0 Bye',
    unknown: () => '500 5.5.1 Unknown command',
    badSequence: '503 5.5.1 MAIL needed first',
    syntax: '501 5.5.4 Invalid parameters',
    tooBig: '552 5.2.3 Message size exceeds administrative limit',
    tokenExpired: '421 4.7.0 Access token expired',
  },
};
