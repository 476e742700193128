/**
 * The personality sessions behind fixtures/personalities/: for each personality, a
 * scripted client drives a fresh set of test servers (fixed clock, users and mailbox) and
 * records IMAP, POP3 and SMTP exchanges — success over STARTTLS or implicit TLS, and a
 * rejected token. `recordPersonalitySessions()` makes them; the fixtures are its output
 * (written by record-fixtures.ts), and a test checks the live servers still say exactly that.
 */
import type { PersonalityName } from '../personalities/index.js';
import { startTestServers, type TestServers } from '../test-servers.js';
import { formatTranscript } from '@mailwire/transcript';
import { RecordingClient } from './recorder.js';
import { SEED_FAKE_TOKEN } from './redact.js';

export const FIXTURE_USER = 'test@contoso.onmicrosoft.com';
export const FIXTURE_EXPIRED_TOKEN = 'expired.token.0001';
export const FIXTURE_CLOCK = new Date('2026-11-23T10:00:00Z');

const MESSAGE = [
  `From: Test User <${FIXTURE_USER}>`,
  'To: Someone <someone@example.com>',
  'Subject: Fixture message',
  'Date: Mon, 23 Nov 2026 09:00:00 +0000',
  'Message-ID: <fixture-1@contoso.onmicrosoft.com>',
  '',
  '.a line that starts with a dot',
  'Second line.',
  '',
].join('\r\n');

/** Starts servers in the state every recording starts from. */
export async function fixtureServers(personality: PersonalityName): Promise<TestServers> {
  const servers = await startTestServers({
    personality,
    users: [{ user: FIXTURE_USER, password: 'Passw0rd!', tokens: [SEED_FAKE_TOKEN], expiredTokens: [FIXTURE_EXPIRED_TOKEN] }],
    now: () => FIXTURE_CLOCK,
    uidValidity: 1,
  });
  servers.store.find(FIXTURE_USER, 'INBOX')!.append(Buffer.from(MESSAGE, 'latin1'), [], FIXTURE_CLOCK);
  return servers;
}

const xoauth2 = (token: string) => Buffer.from(`user=${FIXTURE_USER}\x01auth=Bearer ${token}\x01\x01`).toString('base64');

export interface RecordedSession {
  /** File name inside fixtures/personalities/<personality>/. */
  name: string;
  /** Implicit TLS (else plaintext with STARTTLS/STLS in the transcript). */
  implicitTls: boolean;
  protocol: 'imap' | 'pop3' | 'smtp';
  text: string;
}

type Script = (c: RecordingClient, p: PersonalityName) => Promise<void>;

const SCRIPTS: { name: string; protocol: 'imap' | 'pop3' | 'smtp'; implicitTls: boolean; what: string; run: Script }[] = [
  {
    name: 'imap.txt', protocol: 'imap', implicitTls: true, what: 'IMAP over implicit TLS: CAPABILITY, AUTHENTICATE XOAUTH2 with SASL-IR, SELECT, FETCH, LOGOUT',
    async run(c, p) {
      await c.read(/^\* OK/);
      await c.exchange('C01 CAPABILITY', /^C01 /);
      await c.exchange(`A01 AUTHENTICATE XOAUTH2 ${xoauth2(SEED_FAKE_TOKEN)}`, /^A01 /);
      await c.exchange('a02 SELECT INBOX', /^a02 /);
      const gm = p === 'gmail' ? ' X-GM-MSGID X-GM-THRID X-GM-LABELS' : '';
      await c.exchange(`a03 FETCH 1 (UID FLAGS RFC822.SIZE ENVELOPE BODY.PEEK[]${gm})`, /^a03 /);
      await c.exchange('a04 LOGOUT', /^a04 /);
    },
  },
  {
    name: 'imap-auth-failed.txt', protocol: 'imap', implicitTls: true, what: 'IMAP: an expired token refused (with the error challenge where the server sends one)',
    async run(c) {
      await c.read(/^\* OK/);
      const last = await c.exchange(`A01 AUTHENTICATE XOAUTH2 ${xoauth2(FIXTURE_EXPIRED_TOKEN)}`, /^(\+ |A01 )/);
      if (last.startsWith('+ ')) await c.exchange('', /^A01 /);
      await c.exchange('a02 LOGOUT', /^a02 /);
    },
  },
  {
    name: 'pop3.txt', protocol: 'pop3', implicitTls: false, what: 'POP3: CAPA, STLS, CAPA, AUTH XOAUTH2 two-step, STAT, RETR (dot-stuffed), QUIT',
    async run(c) {
      await c.read(/^\+OK/);
      await c.exchange('CAPA', /^\.$/);
      await c.exchange('STLS', /^[+-]/);
      await c.upgrade();
      await c.exchange('CAPA', /^\.$/);
      await c.exchange('AUTH XOAUTH2', /^\+/);
      await c.exchange(xoauth2(SEED_FAKE_TOKEN), /^[+-]/);
      await c.exchange('STAT', /^[+-]/);
      await c.exchange('RETR 1', /^\.$/);
      await c.exchange('QUIT', /^[+-]/);
    },
  },
  {
    name: 'smtp.txt', protocol: 'smtp', implicitTls: false, what: 'SMTP submission: EHLO, STARTTLS, EHLO, AUTH XOAUTH2 two-step, MAIL, RCPT, DATA (dot-stuffed), QUIT',
    async run(c) {
      await c.read(/^220 /);
      await c.exchange('EHLO client.example', /^250 /);
      await c.exchange('STARTTLS', /^220 /);
      await c.upgrade();
      await c.exchange('EHLO client.example', /^250 /);
      await c.exchange('AUTH XOAUTH2', /^334/);
      await c.exchange(xoauth2(SEED_FAKE_TOKEN), /^\d{3} /);
      await c.exchange(`MAIL FROM:<${FIXTURE_USER}>`, /^\d{3} /);
      await c.exchange(`RCPT TO:<${FIXTURE_USER}>`, /^\d{3} /);
      await c.exchange('DATA', /^354/);
      for (const line of ['Subject: sent by SMTP', '', '..dot-stuffed line', 'last line']) await c.send(line);
      await c.exchange('.', /^\d{3} /);
      await c.exchange('QUIT', /^221/);
    },
  },
  {
    name: 'smtp-auth-failed.txt', protocol: 'smtp', implicitTls: true, what: 'SMTP over implicit TLS: an expired token refused',
    async run(c) {
      await c.read(/^220 /);
      await c.exchange('EHLO client.example', /^250 /);
      await c.exchange('AUTH XOAUTH2', /^334/);
      const last = await c.exchange(xoauth2(FIXTURE_EXPIRED_TOKEN), /^\d{3} /);
      if (last.startsWith('334')) await c.exchange('', /^\d{3} /);
      await c.exchange('QUIT', /^221/);
    },
  },
];

/** Records every session of a personality against fresh servers. */
export async function recordPersonalitySessions(personality: PersonalityName): Promise<RecordedSession[]> {
  const out: RecordedSession[] = [];
  for (const s of SCRIPTS) {
    const servers = await fixtureServers(personality);
    try {
      const pair = servers[s.protocol];
      const client = await RecordingClient.open(s.implicitTls ? pair.tlsPort : pair.port, servers.ca, s.implicitTls);
      await s.run(client, personality);
      await client.close();
      const text = formatTranscript(client.transcript({
        source: `mailwire test-servers, personality ${personality}, recorded by test-servers/src/replay/personality-sessions.ts`,
        protocol: s.protocol,
        connection: s.implicitTls ? 'implicit TLS' : 'plaintext, upgraded with STARTTLS/STLS',
        session: s.what,
        redacted: "no secret: the token is the seed's fake token, the expired one is made up",
      }));
      out.push({ name: s.name, implicitTls: s.implicitTls, protocol: s.protocol, text });
    } finally {
      await servers.stop();
    }
  }
  return out;
}
