import { startTestServers } from '@mailwire/test-servers';
import { describe, expect, it } from 'vitest';

import { runCheck, withFile } from './check.test-util.js';

const USER = 'alice@example.com';
const TOKEN = 'a-real-token';

describe('behaviour checks that need a session', () => {
  it('are not run without a token, and not offered with one where the server offers no OAuth mechanism', async () => {
    const servers = await startTestServers({ personality: 'dovecot', mechanisms: ['PLAIN'], users: [{ user: USER, tokens: [TOKEN], password: 'pw' }] });
    try {
      await withFile(servers.ca, async (ca) => {
        for (const url of [`submission://127.0.0.1:${servers.smtp.port}`, `pop3s://127.0.0.1:${servers.pop3.tlsPort}`]) {
          const without = await runCheck([url, '--ca', ca]);
          const withToken = await runCheck([url, '--ca', ca, '--user', USER, '--token-env', 'T'], { T: TOKEN });
          const sessionChecks = Object.values(without.byId).filter((c) => c.verdict === 'not run');
          expect(sessionChecks.length, url).toBeGreaterThan(0);
          for (const c of sessionChecks) {
            expect(withToken.byId[c.id], `${url} ${c.id}`).toMatchObject({ verdict: 'not offered' });
            expect(withToken.byId[c.id]!.detail).toContain('neither OAUTHBEARER nor XOAUTH2');
          }
        }
      });
    } finally {
      await servers.stop();
    }
  });
});
