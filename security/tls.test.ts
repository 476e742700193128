/**
 * Issue 11, item 2 — TLS: certificates are verified by default (a self-signed one, one
 * from an unknown CA, one for another host and an expired one are each refused, by
 * implicit TLS and after STARTTLS/STLS), SNI is the host name (none for an IP literal, by
 * implicit TLS and after STARTTLS/STLS), and TLS 1.2 is the floor.
 * For IMAP, POP3 and SMTP, against the repo's test servers on loopback.
 */
import { once } from 'node:events';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { createSecureContext, createServer, TLSSocket } from 'node:tls';
import { createRequire } from 'node:module';
import type * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { certFor, startTestServers, testPki, type CertKind, type TestServers } from '@mailwire/test-servers';

import { makeClient, PROTOCOLS } from './clients.js';

/** The mutable node:tls module object (an ESM namespace is frozen). */
const tlsModule = createRequire(import.meta.url)('node:tls') as { DEFAULT_MIN_VERSION: string };

const USER = 'alice@contoso.com';
const USERS = [{ user: USER, tokens: ['tok-1'], password: 'pencil' }];

/** What the refusal must name, as Node/OpenSSL words it. */
const PROBLEM: Record<CertKind | 'unknown-ca', RegExp> = {
  'self-signed': /self[- ]signed certificate/i,
  'unknown-ca': /unable to (get local issuer certificate|verify the first certificate)/i,
  'wrong-host': /does not match certificate's altnames/i,
  expired: /certificate has expired/i,
  valid: /^$/,
};

const bad = ['self-signed', 'wrong-host', 'expired'] as const;
const servers = new Map<CertKind, TestServers>();
beforeAll(async () => {
  for (const cert of ['valid', ...bad] as const) servers.set(cert, await startTestServers({ users: USERS, cert }));
});
afterAll(async () => {
  for (const s of servers.values()) await s.stop();
});

describe.each(PROTOCOLS)('%s: certificate verification is on by default', (protocol) => {
  for (const security of ['tls', 'starttls'] as const) {
    const portOf = (s: TestServers) => (security === 'tls' ? s[protocol].tlsPort : s[protocol].port);
    for (const kind of [...bad, 'unknown-ca'] as const) {
      it(`${security}: refuses a ${kind} certificate with a message naming the problem, before any credential`, async () => {
        const s = servers.get(kind === 'unknown-ca' ? 'valid' : kind)!;
        const lines: string[] = [];
        // The unknown CA: the valid certificate, but the test CA is not given, so only the system store is trusted.
        const client = makeClient(protocol, {
          host: s.host,
          port: portOf(s),
          security,
          ...(kind === 'unknown-ca' ? {} : { tls: { ca: s.ca } }),
          auth: { user: USER, password: 'pencil' },
          transcript: (e) => lines.push(`${e.dir} ${e.line}`),
        });
        const err = await client.connect().then(
          () => undefined,
          (e: unknown) => e as { code: string; message: string; name: string },
        );
        client.close();
        expect(err, 'connect() must fail').toBeDefined();
        expect(err!.code).toBe(security === 'tls' ? 'ECONNECTION' : 'ESTARTTLS');
        expect(err!.message).toMatch(PROBLEM[kind]);
        const sent = lines.filter((l) => l.startsWith('C '));
        expect(sent.length).toBeLessThanOrEqual(3); // at most the capability query, EHLO and STARTTLS/STLS
        expect(sent.join('\n')).not.toMatch(/pencil|AUTH|LOGIN|USER|PASS/);
      });
    }
    it(`${security}: the same client options succeed with the valid certificate (the refusals above are about the certificate)`, async () => {
      const s = servers.get('valid')!;
      const client = makeClient(protocol, { host: s.host, port: portOf(s), security, tls: { ca: s.ca }, auth: { user: USER, password: 'pencil' } });
      await client.connect();
      client.close();
    });
  }
});

describe.each(PROTOCOLS)('%s: SNI and the TLS version floor', (protocol) => {
  const pki = testPki();
  async function tlsListener(options: tls.TlsOptions): Promise<{ port: number; seen: Promise<TLSSocket | Error>; close: () => Promise<void> }> {
    const server = createServer({ ...certFor(pki, 'valid'), ...options });
    const seen = new Promise<TLSSocket | Error>((resolve) => {
      server.once('secureConnection', (socket: TLSSocket) => {
        resolve(socket);
        socket.destroy();
      });
      server.once('tlsClientError', (e) => resolve(e));
    });
    server.listen(0); // every address, so 'localhost' reaches it as ::1 or 127.0.0.1
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    return { port, seen, close: () => new Promise((r) => server.close(() => r())) };
  }

  it('sends the host name as SNI', async () => {
    const l = await tlsListener({});
    try {
      const client = makeClient(protocol, { host: 'localhost', port: l.port, security: 'tls', tls: { ca: pki.ca }, timeoutMs: 2000 });
      await client.connect().catch(() => undefined);
      client.close();
      const socket = await l.seen;
      expect(socket).not.toBeInstanceOf(Error);
      expect((socket as TLSSocket & { servername?: string }).servername).toBe('localhost');
    } finally {
      await l.close();
    }
  });

  it('sends no SNI for an IP-literal host (RFC 6066 §3)', async () => {
    const l = await tlsListener({});
    try {
      const client = makeClient(protocol, { host: '127.0.0.1', port: l.port, security: 'tls', tls: { ca: pki.ca }, timeoutMs: 2000 });
      await client.connect().catch(() => undefined);
      client.close();
      const socket = await l.seen;
      expect(socket).not.toBeInstanceOf(Error);
      expect((socket as TLSSocket & { servername?: string | false }).servername).toBe(false);
    } finally {
      await l.close();
    }
  });

  /**
   * A plaintext server that offers STARTTLS/STLS, says go ahead, then takes the TLS
   * handshake on the same socket and reports the SNI it carried (`false` for none).
   */
  async function starttlsListener(): Promise<{ port: number; seen: Promise<string | false | Error>; close: () => Promise<void> }> {
    const context = createSecureContext(certFor(pki, 'valid'));
    const sockets = new Set<Socket>();
    let report: (v: string | false | Error) => void = () => undefined;
    const seen = new Promise<string | false | Error>((resolve) => (report = resolve));
    const answer = (line: string): string | 'upgrade' | undefined => {
      const tag = line.split(' ', 1)[0]!;
      if (protocol === 'imap') {
        if (/ STARTTLS$/i.test(line)) return 'upgrade';
        return /CAPABILITY$/i.test(line) ? `* CAPABILITY IMAP4rev1 STARTTLS\r\n${tag} OK done\r\n` : `${tag} OK done\r\n`;
      }
      if (protocol === 'pop3') return line === 'STLS' ? 'upgrade' : line === 'CAPA' ? '+OK\r\nSTLS\r\nUSER\r\n.\r\n' : '+OK\r\n';
      if (line === 'STARTTLS') return 'upgrade';
      return /^EHLO/i.test(line) ? '250-mx\r\n250 STARTTLS\r\n' : '250 ok\r\n';
    };
    const goAhead = (line: string) => (protocol === 'imap' ? `${line.split(' ', 1)[0]} OK begin TLS\r\n` : protocol === 'pop3' ? '+OK begin TLS\r\n' : '220 2.0.0 go ahead\r\n');
    const server = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.write(protocol === 'imap' ? '* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n' : protocol === 'pop3' ? '+OK hi\r\n' : '220 mx ESMTP\r\n');
      let pending = '';
      const onData = (d: Buffer) => {
        pending += d.toString('latin1');
        for (let i = pending.indexOf('\r\n'); i >= 0; i = pending.indexOf('\r\n')) {
          const line = pending.slice(0, i);
          pending = pending.slice(i + 2);
          const reply = answer(line);
          if (reply !== 'upgrade') {
            if (reply) socket.write(reply);
            continue;
          }
          socket.removeListener('data', onData);
          socket.write(goAhead(line));
          const secured = new TLSSocket(socket, { isServer: true, secureContext: context });
          secured.on('error', (e) => report(e));
          secured.once('secure', () => {
            report((secured as TLSSocket & { servername: string | false }).servername);
            secured.destroy();
          });
          return;
        }
      };
      socket.on('data', onData);
    });
    server.listen(0); // every address, so 'localhost' reaches it as ::1 or 127.0.0.1
    await once(server, 'listening');
    return {
      port: (server.address() as { port: number }).port,
      seen,
      close: () =>
        new Promise((r) => {
          for (const s of sockets) s.destroy();
          server.close(() => r());
        }),
    };
  }

  const upgrade = protocol === 'pop3' ? 'STLS' : 'STARTTLS';
  for (const [host, servername, sni, what] of [
    ['localhost', undefined, 'localhost', 'the host name as SNI'],
    ['127.0.0.1', undefined, false, 'no SNI (an IP literal)'],
    ['127.0.0.1', 'localhost', 'localhost', 'the caller\'s tls.servername as SNI'],
  ] as const) {
    it(`after ${upgrade} to ${host}${servername ? ` with servername ${servername}` : ''}: the ClientHello carries ${what}`, async () => {
      const l = await starttlsListener();
      try {
        const client = makeClient(protocol, { host, port: l.port, security: 'starttls', tls: { ca: pki.ca, ...(servername ? { servername } : {}) }, timeoutMs: 2000 });
        await client.connect().catch(() => undefined);
        client.close();
        expect(await l.seen).toBe(sni);
      } finally {
        await l.close();
      }
    });
  }

  it('refuses a server that speaks only TLS 1.1, even when the process default floor was lowered', async () => {
    const l = await tlsListener({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    const before = tlsModule.DEFAULT_MIN_VERSION;
    // Without mailwire's own minVersion the connection would take this process-wide default.
    tlsModule.DEFAULT_MIN_VERSION = 'TLSv1';
    try {
      const client = makeClient(protocol, { host: '127.0.0.1', port: l.port, security: 'tls', tls: { ca: pki.ca, ciphers: 'DEFAULT@SECLEVEL=0' }, timeoutMs: 2000 });
      const err = await client.connect().then(() => undefined, (e: unknown) => e as { code: string; message: string });
      client.close();
      expect(err?.code).toBe('ECONNECTION');
      expect(err?.message).toMatch(/protocol version|unsupported protocol|no protocols available/i);
    } finally {
      tlsModule.DEFAULT_MIN_VERSION = before;
      await l.close();
    }
  });
});
