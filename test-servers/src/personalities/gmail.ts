/**
 * Gmail: Gimap/Gpop/gsmtp texts, SASL-IR, X-GM-EXT-1 (X-GM-MSGID, X-GM-THRID,
 * X-GM-LABELS in FETCH), and the XOAUTH2 error challenge
 * {"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"} before
 * `NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)` and SMTP's multi-line
 * `535-5.7.8 Username and Password not accepted.`. An AUTH line past 700 octets gets
 * `555 5.5.2 Syntax error` (the reason a long token must go two-step). Only XOAUTH2 and
 * PLAIN/LOGIN are advertised, so curl uses XOAUTH2 here.
 */
import type { Personality } from './personality.js';

/** Gmail ends many texts with a per-session id; fixed here so recordings are stable. */
const SID = 'a1b2c3d4e5f6';

export const gmail: Personality = {
  name: 'gmail',
  hostname: 'smtp.gmail.com',
  mechanisms: ['XOAUTH2', 'PLAIN'],
  authRequiresTls: true,
  errorChallenge: true,
  xoauth2Error: { status: '400', schemes: 'Bearer', scope: 'https://mail.google.com/' },
  oauthBearerError: { status: 'invalid_token', scope: 'https://mail.google.com/' },
  imap: {
    greeting: () => `Gimap ready for requests from 127.0.0.1 ${SID}`,
    capabilities: ['IMAP4rev1', 'UNSELECT', 'IDLE', 'NAMESPACE', 'QUOTA', 'ID', 'XLIST', 'CHILDREN', 'X-GM-EXT-1', 'XYZZY', 'SASL-IR', '{STARTTLS}', '{AUTH}'],
    authenticatedCapabilities: ['IMAP4rev1', 'UNSELECT', 'IDLE', 'NAMESPACE', 'ID', 'XLIST', 'CHILDREN', 'X-GM-EXT-1', 'UIDPLUS', 'ENABLE', 'MOVE', 'SPECIAL-USE', 'LITERAL+'],
    capabilityInGreeting: false,
    ok: (command) => (command === 'CAPABILITY' ? 'Thats all she wrote! ' + SID : 'Success'),
    authCapability: 'untagged',
    authOk: (user) => `${user} authenticated (Success)`,
    authFailed: '[AUTHENTICATIONFAILED] Invalid credentials (Failure)',
    authAborted: 'Invalid SASL argument. ' + SID,
    loginOk: (user) => `${user} authenticated (Success)`,
    loginFailed: '[AUTHENTICATIONFAILED] Invalid credentials (Failure)',
    privacyRequired: '[PRIVACYREQUIRED] Please use STARTTLS first. ' + SID,
    selectOk: (readOnly, command) => `[${readOnly ? 'READ-ONLY' : 'READ-WRITE'}] ${command === 'EXAMINE' ? 'INBOX' : 'INBOX'} selected. (Success)`,
    logoutBye: 'LOGOUT Requested',
    idleAccepted: 'idling',
    startTls: 'Begin TLS negotiation now',
    bad: (detail) => `${detail} ${SID}`,
    noMailbox: '[NONEXISTENT] Unknown Mailbox: (Failure)',
    tokenExpiredBye: 'Session expired, please login again.',
    gmailExtensions: true,
  },
  pop3: {
    greeting: `Gpop ready for requests from 127.0.0.1 ${SID}`,
    capa: ['RESP-CODES', 'EXPIRE 0', 'LOGIN-DELAY 300', 'TOP', 'UIDL', 'X-GOOGLE-RICO'],
    capaOk: 'Capability list follows',
    authOk: 'Welcome.',
    authFailed: '[AUTH] Invalid credentials.',
    authAborted: '[AUTH] Authentication aborted.',
    userOk: 'send PASS',
    passOk: 'Welcome.',
    passFailed: '[AUTH] Username and password not accepted.',
    stls: 'Begin TLS negotiation',
    quit: 'Farewell.',
    unknown: 'bad command ' + SID,
    wrongState: 'bad command ' + SID,
    noSuchMessage: 'no such message ' + SID,
    tokenExpired: '[AUTH] Session expired, please login again.',
  },
  smtp: {
    greeting: () => `smtp.gmail.com ESMTP ${SID} - gsmtp`,
    ehloHello: (_name, ip) => `smtp.gmail.com at your service, [${ip}]`,
    keywords: ['SIZE 35882577', '8BITMIME', '{STARTTLS}', '{AUTH}', 'ENHANCEDSTATUSCODES', 'PIPELINING'],
    helo: () => 'smtp.gmail.com at your service',
    authOk: '235 2.7.0 Accepted',
    authFailed: [
      '535-5.7.8 Username and Password not accepted. For more information, go to',
      `535 5.7.8  https://support.google.com/mail/?p=BadCredentials ${SID} - gsmtp`,
    ],
    authDisabled: null,
    authAborted: `501 5.5.2 Cannot Decode response ${SID} - gsmtp`,
    authLineLimit: 700,
    authLineTooLong: ['555-5.5.2 Syntax error, command line too long. For more information, go to', `555 5.5.2  https://support.google.com/a/answer/3221692 ${SID} - gsmtp`],
    lineTooLong: `500 5.5.2 Line too long ${SID} - gsmtp`,
    authRequired: `530-5.7.0 Authentication Required. For more information, go to\r\n530 5.7.0  https://support.google.com/mail/?p=WantAuthError ${SID} - gsmtp`,
    tlsRequired: `530 5.7.0 Must issue a STARTTLS command first. ${SID} - gsmtp`,
    startTls: '220 2.0.0 Ready to start TLS',
    mailOk: `250 2.1.0 OK ${SID} - gsmtp`,
    rcptOk: `250 2.1.5 OK ${SID} - gsmtp`,
    data: `354 Go ahead ${SID} - gsmtp`,
    dataOk: (id) => `250 2.0.0 OK  ${id} ${SID} - gsmtp`,
    rset: `250 2.1.5 Flushed ${SID} - gsmtp`,
    noop: `250 2.0.0 OK ${SID} - gsmtp`,
    quit: `221 2.0.0 closing connection ${SID} - gsmtp`,
    unknown: () => `502 5.5.1 Unrecognized command. ${SID} - gsmtp`,
    badSequence: `503 5.5.1 EHLO/HELO first. ${SID} - gsmtp`,
    syntax: `555 5.5.2 Syntax error. ${SID} - gsmtp`,
    tooBig: `552 5.3.4 Your message exceeded Google's message size limits. ${SID} - gsmtp`,
    tokenExpired: `421 4.7.0 Session expired ${SID} - gsmtp`,
  },
};
