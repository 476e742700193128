import { createClientMechanism } from '@mailwire/sasl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServers, type TestServers } from './test-servers.js';
import { LineClient } from './test-util/line-client.test-util.js';

const USER = 'sam@example.com';
let s: TestServers;
beforeAll(async () => {
  s = await startTestServers({ personality: 'dovecot', users: [{ user: USER, password: 'pässword', tokens: ['tok'] }] });
});
afterAll(() => s.stop());

type Proto = 'imap' | 'pop3' | 'smtp';
const MECHS = ['XOAUTH2', 'OAUTHBEARER', 'PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-256'] as const;

/** Runs a whole SASL exchange with packages/sasl's client mechanism over one protocol's framing. */
async function authenticate(proto: Proto, mechName: string, password: string): Promise<string> {
  const c = await LineClient.open(s[proto].port);
  await c.line();
  if (proto === 'smtp') await c.exchange('EHLO x', /^250 /);
  const mech = createClientMechanism(mechName, { user: USER, password, accessToken: password === 'pässword' ? 'tok' : 'bad', host: '127.0.0.1', port: s[proto].port });
  const start = { imap: `A AUTHENTICATE ${mechName}`, pop3: `AUTH ${mechName}`, smtp: `AUTH ${mechName}` }[proto];
  const done = { imap: /^A (OK|NO|BAD)/, pop3: /^[+-](OK|ERR)/, smtp: /^(?!334)\d{3} / }[proto];
  const cont = { imap: /^\+ ?/, pop3: /^\+ ?/, smtp: /^334 ?/ }[proto];
  const ir = mech.start();
  let reply = await c.exchange(ir ? `${start} ${Buffer.from(ir).toString('base64') || '='}` : start, /.*/);
  for (let i = 0; i < 6 && cont.test(reply) && !done.test(reply); i++) {
    const challenge = Buffer.from(reply.replace(cont, ''), 'base64');
    let answer = '';
    try {
      answer = Buffer.from(mech.next(challenge)).toString('base64');
    } catch {
      answer = '';
    }
    reply = await c.exchange(answer, /.*/);
  }
  c.close();
  return reply;
}

describe.each<Proto>(['imap', 'pop3', 'smtp'])('every SASL mechanism through packages/sasl over %s', (proto) => {
  it.each(MECHS)('%s succeeds with the right secret and fails with a wrong one', async (mech) => {
    const ok = await authenticate(proto, mech, 'pässword');
    expect(ok).toMatch({ imap: /^A OK \[CAPABILITY .*\] Logged in$/, pop3: /^\+OK Logged in\.$/, smtp: /^235 2\.7\.0 Logged in\.$/ }[proto]);
    const bad = await authenticate(proto, mech, 'wrong');
    expect(bad).toBe({ imap: 'A NO [AUTHENTICATIONFAILED] Authentication failed.', pop3: '-ERR [AUTH] Authentication failed.', smtp: '535 5.7.8 Authentication failed.' }[proto]);
  });
});
