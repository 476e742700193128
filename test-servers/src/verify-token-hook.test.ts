/**
 * startTestServers({ verifyToken }): a token is judged by the hook (in the oauth tests,
 * RFC 7662 introspection at a real authorization server) instead of the users' token
 * lists, for every protocol; expireToken() still refuses a token the hook would accept.
 */
import { encodeXOAuth2 } from '@mailwire/sasl';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServers, type TestServers } from './index.js';
import { LineClient } from './test-util/line-client.test-util.js';

describe('the verifyToken hook', () => {
  let servers: TestServers | undefined;
  afterEach(async () => {
    await servers?.stop();
  });

  it('decides XOAUTH2 on IMAP by the hook, with the user and the mechanism', async () => {
    const asked: string[] = [];
    servers = await startTestServers({
      users: [{ user: 'alice', tokens: ['listed'] }],
      verifyToken: (user, token, mechanism) => {
        asked.push(`${user} ${token} ${mechanism}`);
        return token === 'hooked' ? 'ok' : 'invalid';
      },
    });
    const c = await LineClient.open(servers.imap.tlsPort, { ca: servers.ca, servername: 'localhost' });
    try {
      await c.line();
      await c.send(`a1 AUTHENTICATE XOAUTH2 ${encodeXOAuth2('alice', 'listed')}\r\n`);
      expect(await c.line()).toMatch(/^\+ /); // the error challenge
      expect(await c.exchange('', /^a1 /)).toMatch(/a1 NO/);
      expect(await c.exchange(`a2 AUTHENTICATE XOAUTH2 ${encodeXOAuth2('alice', 'hooked')}`, /^a2 /)).toMatch(/a2 OK/);
    } finally {
      c.close();
    }
    servers.expireToken('hooked');
    const d = await LineClient.open(servers.imap.tlsPort, { ca: servers.ca, servername: 'localhost' });
    try {
      await d.line();
      expect(await d.exchange(`b1 AUTHENTICATE XOAUTH2 ${encodeXOAuth2('alice', 'hooked')}`, /^(\+ |b1 )/)).toMatch(/^\+ /);
      expect(await d.exchange('', /^b1 /)).toMatch(/b1 NO/);
    } finally {
      d.close();
    }
    expect(asked).toEqual(['alice listed XOAUTH2', 'alice hooked XOAUTH2']);
  });
});
