import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

import { startTestServers } from '@mailwire/test-servers';
import { describe, expect, it } from 'vitest';

import { runCheck, withFile } from './check.test-util.js';

const USER = 'alice@example.com';
const TOKEN = 'plaintext-check-token-0123456789';

/** A TCP relay to `port` that keeps every byte the client sent, to see what went on the wire. */
async function recordingRelay(port: number): Promise<{ port: number; sent: () => string; close: () => Promise<void> }> {
  const chunks: Buffer[] = [];
  const sockets: Socket[] = [];
  const server: Server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    sockets.push(client, upstream);
    client.on('data', (d: Buffer) => chunks.push(d));
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    sent: () => Buffer.concat(chunks).toString('latin1'),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('mailwire check --plaintext with a token', () => {
  // Dovecot's personality takes AUTH on a loopback plaintext connection, so only mailwire's own rule keeps the token back.
  it.each([['imap', 'imap'], ['pop3', 'pop3'], ['submission', 'smtp']] as const)('%s: no SASL command on the wire, the checks that need a session are not run', async (scheme, service) => {
    const servers = await startTestServers({ personality: 'dovecot', users: [{ user: USER, tokens: [TOKEN] }] });
    const relay = await recordingRelay(servers[service].port);
    try {
      const { byId } = await withFile(servers.ca, (ca) => runCheck([`${scheme}://127.0.0.1:${relay.port}`, '--plaintext', '--ca', ca, '--user', USER, '--token-env', 'T'], { T: TOKEN }));
      const wire = relay.sent();
      expect(wire.length).toBeGreaterThan(0);
      expect(wire.split('\r\n').filter((l) => /^(\S+ )?AUTH(ENTICATE)?\b/i.test(l))).toEqual([]);
      expect(wire).not.toContain(TOKEN);
      const notRun = Object.values(byId).filter((c) => c.detail.includes('mailwire never sends a token without TLS'));
      expect(notRun.length).toBeGreaterThan(0);
      expect(notRun.every((c) => c.verdict === 'not run')).toBe(true);
      // What failed is the server's (Dovecot offers AUTH before TLS), not a check that could not log in.
      expect(Object.values(byId).filter((c) => c.verdict === 'fail').map((c) => c.id)).toEqual(['no-auth-before-tls']);
    } finally {
      await relay.close();
      await servers.stop();
    }
  });
});
