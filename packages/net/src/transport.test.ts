import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer as createTlsServer, TLSSocket } from 'node:tls';
import { constants, createDeflateRaw, createInflateRaw } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';

import { connect } from './connect.js';
import { DEFAULT_TIMEOUT_MS, type TranscriptEntry } from './client-options.js';
import { testCert } from './test-cert.test-util.js';
import { HIGH_WATER } from './transport.js';
import type { Transport } from './transport.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => Buffer.from(b).toString('latin1');

const servers: Server[] = [];
const transports: Transport[] = [];
afterEach(() => {
  for (const t of transports.splice(0)) t.close();
  for (const s of servers.splice(0)) s.close();
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function readUntil(t: Transport, needle: string): Promise<string> {
  let got = '';
  while (!got.includes(needle)) {
    const chunk = await t.read();
    if (chunk === null) break;
    got += dec(chunk);
  }
  return got;
}

function track<T extends Transport>(t: T): T {
  transports.push(t);
  return t;
}

describe('connect and Transport', () => {
  it('talks plaintext TCP and records a redacted transcript', async () => {
    const port = await listen(createServer((s) => {
      s.write('* OK hello\r\n');
      s.on('data', (d) => { if (d.toString().includes('\r\n')) s.write('A1 OK bye\r\n'); });
    }));
    const lines: TranscriptEntry[] = [];
    const t = track(await connect({ host: '127.0.0.1', port, security: 'none', transcript: (e) => lines.push(e) }));
    expect(t.secure).toBe(false);
    expect(await readUntil(t, '\r\n')).toBe('* OK hello\r\n');
    await t.write(enc('A1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n'));
    expect(await readUntil(t, '\r\n')).toBe('A1 OK bye\r\n');
    expect(lines).toEqual([
      { dir: 'S', line: '* OK hello' },
      { dir: 'C', line: 'A1 AUTHENTICATE PLAIN [redacted]' },
      { dir: 'S', line: 'A1 OK bye' },
    ]);
  });

  it('returns null once the server ends the stream', async () => {
    const port = await listen(createServer((s) => s.end('* BYE\r\n')));
    const t = track(await connect({ host: '127.0.0.1', port, security: 'none' }));
    expect(await readUntil(t, 'never')).toBe('* BYE\r\n');
    expect(await t.read()).toBeNull();
  });

  it('poll() and onReadable(): chunks without a read promise, then null at the end', async () => {
    let accepted!: (s: Socket) => void;
    const peerP = new Promise<Socket>((r) => (accepted = r));
    const port = await listen(createServer((s) => accepted(s)));
    const t = track(await connect({ host: '127.0.0.1', port, security: 'none' }));
    const peer = await peerP;
    expect(t.poll()).toBeUndefined();
    const woke = (): Promise<void> => new Promise((r) => t.onReadable(r));
    let ready = woke();
    peer.write('* OK one\r\n');
    await ready;
    let got = '';
    for (let c = t.poll(); c; c = t.poll()) got += dec(c);
    expect(got).toBe('* OK one\r\n');
    // a listener removed is not called; one set while bytes wait is called at once
    let called = false;
    t.onReadable(() => { called = true; });
    t.onReadable(null);
    ready = woke();
    peer.end('* BYE\r\n');
    await ready;
    expect(called).toBe(false);
    got = '';
    let c: Uint8Array | null | undefined;
    while ((c = t.poll()) !== null) {
      if (c === undefined) await woke();
      else got += dec(c);
    }
    expect(got).toBe('* BYE\r\n');
    await woke(); // called at once: the stream has ended
    t.close();
    expect(() => t.poll()).not.toThrow();
  });

  it('send(): nothing to wait for while the socket takes the bytes; a promise that waits for drain when it is full; recorded like write()', async () => {
    let accepted!: (s: Socket) => void;
    const peerP = new Promise<Socket>((r) => (accepted = r));
    const port = await listen(createServer((s) => accepted(s)));
    const lines: TranscriptEntry[] = [];
    const t = track(await connect({ host: '127.0.0.1', port, security: 'none', transcript: (e) => lines.push(e) }));
    const peer = await peerP;
    peer.pause();
    expect(t.send(enc('A1 NOOP\r\n'))).toBeUndefined();
    expect(lines).toEqual([{ dir: 'C', line: 'A1 NOOP' }]);
    let blocked: Promise<void> | undefined;
    const big = new Uint8Array(1024 * 1024);
    for (let i = 0; i < 64 && !blocked; i++) blocked = t.send(big);
    expect(blocked).toBeInstanceOf(Promise);
    let drained = false;
    void blocked!.then(() => { drained = true; });
    await new Promise((r) => setImmediate(r));
    expect(drained).toBe(false); // the peer reads nothing: no drain
    peer.resume();
    await blocked;
    expect(drained).toBe(true);
  });

  it('poll() throws the error the connection failed with', async () => {
    const port = await listen(createServer(() => {}));
    const t = track(await connect({ host: '127.0.0.1', port, security: 'none', timeoutMs: 50 }));
    t.setWaiting(true);
    await new Promise<void>((r) => t.onReadable(r));
    expect(() => t.poll()).toThrow(expect.objectContaining({ code: 'ETIMEDOUT' }));
  });

  it('connects with implicit TLS, verifying the certificate and sending SNI', async () => {
    const { ca, key, cert } = testCert();
    let sni: string | undefined;
    const server = createTlsServer({ key, cert }, (s) => {
      sni = (s as TLSSocket & { servername?: string }).servername;
      s.end('* OK tls\r\n');
    });
    const port = await listen(server);
    const t = track(await connect({ host: 'localhost', port, security: 'tls', tls: { ca } }));
    expect(t.secure).toBe(true);
    expect(await readUntil(t, '\r\n')).toBe('* OK tls\r\n');
    expect(sni).toBe('localhost');
  });

  it('tlsDetails(): null in plaintext; after STARTTLS the version, the verified certificate and its names', async () => {
    const { ca, key, cert } = testCert();
    const port = await listen(createServer((s) => {
      s.write('* OK plain\r\n');
      s.once('data', () => {
        s.write('S1 OK go ahead\r\n');
        new TLSSocket(s, { isServer: true, key, cert });
      });
    }));
    const t = track(await connect({ host: 'localhost', port, security: 'starttls', tls: { ca } }));
    await readUntil(t, '\r\n');
    expect(t.tlsDetails()).toBeNull();
    await t.write(enc('S1 STARTTLS\r\n'));
    await readUntil(t, '\r\n');
    await t.upgradeToTls({ ca });
    const details = t.tlsDetails();
    expect(details).toMatchObject({ authorized: true });
    expect(details?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(details?.subject).toContain('CN=');
    expect(details?.issuer).toContain('CN=');
    expect(details?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(details?.validTo).not.toBe('');
  });

  it('refuses a certificate it cannot verify (ECONNECTION)', async () => {
    const { key, cert } = testCert();
    const port = await listen(createTlsServer({ key, cert }, (s) => s.end()));
    await expect(connect({ host: 'localhost', port, security: 'tls' })).rejects.toMatchObject({ code: 'ECONNECTION' });
  });

  it('maps a refused connection to ECONNECTION', async () => {
    const port = await listen(createServer());
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 10));
    await expect(connect({ host: '127.0.0.1', port, security: 'none' })).rejects.toMatchObject({ code: 'ECONNECTION' });
  });

  it('upgrades with STARTTLS in place', async () => {
    const { ca, key, cert } = testCert();
    const port = await listen(createServer((s) => {
      s.write('* OK plain\r\n');
      s.once('data', () => {
        s.write('S1 OK go ahead\r\n');
        const secured = new TLSSocket(s, { isServer: true, key, cert });
        secured.on('data', () => secured.write('S2 OK secure\r\n'));
      });
    }));
    const t = track(await connect({ host: 'localhost', port, security: 'starttls', tls: { ca } }));
    await readUntil(t, '\r\n');
    await t.write(enc('S1 STARTTLS\r\n'));
    expect(await readUntil(t, '\r\n')).toBe('S1 OK go ahead\r\n');
    await t.upgradeToTls({ ca });
    expect(t.secure).toBe(true);
    await t.write(enc('S2 NOOP\r\n'));
    expect(await readUntil(t, '\r\n')).toBe('S2 OK secure\r\n');
  });

  it('fails with ESTARTTLS when bytes follow the go-ahead (held by the protocol layer)', async () => {
    const port = await listen(createServer((s) => {
      s.write('* OK plain\r\n');
      s.once('data', () => s.write('S1 OK go ahead\r\n* 1 EXISTS\r\n'));
    }));
    const t = track(await connect({ host: '127.0.0.1', port, security: 'starttls' }));
    await readUntil(t, '\r\n');
    await t.write(enc('S1 STARTTLS\r\n'));
    const got = await readUntil(t, 'EXISTS\r\n');
    const unread = got.length - 'S1 OK go ahead\r\n'.length;
    await expect(t.upgradeToTls({}, unread)).rejects.toMatchObject({ code: 'ESTARTTLS' });
    expect(t.closed).toBe(true);
    await expect(t.read()).rejects.toMatchObject({ code: 'ESTARTTLS' });
  });

  it('fails with ESTARTTLS when bytes are queued in the transport', async () => {
    const port = await listen(createServer((s) => {
      s.write('* OK plain\r\n');
      s.once('data', () => {
        s.write('S1 OK go ahead\r\n');
        setImmediate(() => s.write('* 1 EXISTS\r\n'));
      });
    }));
    const t = track(await connect({ host: '127.0.0.1', port, security: 'starttls' }));
    await readUntil(t, '\r\n');
    await t.write(enc('S1 STARTTLS\r\n'));
    await readUntil(t, 'ahead\r\n');
    // Wait until the injected bytes have reached the client's queue.
    await new Promise((r) => setTimeout(r, 50));
    await expect(t.upgradeToTls({}, 0)).rejects.toMatchObject({ code: 'ESTARTTLS' });
  });

  it('fails with ETIMEDOUT when the peer makes no progress while awaited', async () => {
    const port = await listen(createServer(() => undefined));
    const t = track(await connect({ host: '127.0.0.1', port, security: 'none', timeoutMs: 40 }));
    t.setWaiting(true);
    await expect(t.read()).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('has a progress timeout by default, so a silent server cannot hang a call; 0 turns it off', async () => {
    const port = await listen(createServer(() => undefined));
    const byDefault = track(await connect({ host: '127.0.0.1', port, security: 'none' }));
    expect(byDefault.timeoutMs).toBe(DEFAULT_TIMEOUT_MS);
    expect(DEFAULT_TIMEOUT_MS).toBeGreaterThan(0);
    const off = track(await connect({ host: '127.0.0.1', port, security: 'none', timeoutMs: 0 }));
    expect(off.timeoutMs).toBe(0);
  });

  it('fails with EABORTED when the signal fires', async () => {
    const port = await listen(createServer(() => undefined));
    const ac = new AbortController();
    const t = track(await connect({ host: '127.0.0.1', port, security: 'none', signal: ac.signal }));
    const pending = t.read();
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: 'EABORTED' });
    await expect(t.write(enc('x'))).rejects.toMatchObject({ code: 'EABORTED' });
  });

  it('rejects an already aborted signal before connecting', async () => {
    await expect(connect({ host: '127.0.0.1', port: 1, security: 'none', signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'EABORTED' });
  });

  it('waits for drain on large writes and delivers every byte in order', async () => {
    let received = 0;
    let sock: Socket | undefined;
    const done = new Promise<number>((resolve) => {
      void listen(createServer((s) => {
        sock = s;
        s.pause();
        s.on('data', (d) => { received += d.length; if (received === 8 << 20) resolve(received); });
      })).then((port) => portReady(port));
    });
    let portReady!: (p: number) => void;
    const port = await new Promise<number>((r) => { portReady = r; });
    const t = track(await connect({ host: '127.0.0.1', port, security: 'none' }));
    const writing = t.write(new Uint8Array(8 << 20).fill(0x61));
    setTimeout(() => sock?.resume(), 20);
    await writing;
    expect(await done).toBe(8 << 20);
  });

  it('pauses the socket when reads fall behind, so memory stays bounded, and loses nothing', async () => {
    const total = 8 << 20;
    const port = await listen(createServer((s) => {
      s.on('error', () => undefined);
      s.end(Buffer.alloc(total, 0x7a));
    }));
    const t = track(await connect({ host: '127.0.0.1', port, security: 'none' }));
    for (let i = 0; i < 200 && t.bufferedBytes <= HIGH_WATER; i++) await new Promise((r) => setTimeout(r, 5));
    expect(t.bufferedBytes).toBeGreaterThan(HIGH_WATER);
    await new Promise((r) => setTimeout(r, 50));
    expect(t.bufferedBytes).toBeLessThan(HIGH_WATER + (1 << 20));
    let got = 0;
    for (let chunk = await t.read(); chunk !== null; chunk = await t.read()) got += chunk.length;
    expect(got).toBe(total);
  });

  it('compresses and inflates with COMPRESS=DEFLATE', async () => {
    const port = await listen(createServer((s) => {
      const inflate = createInflateRaw();
      const deflate = createDeflateRaw();
      deflate.on('data', (d) => s.write(d));
      s.write('C1 OK deflate active\r\n');
      s.on('data', (d) => inflate.write(d));
      inflate.on('data', (d: Buffer) => {
        deflate.write(`echo ${d.toString().trim()}\r\n`);
        deflate.flush(constants.Z_SYNC_FLUSH);
      });
    }));
    const lines: TranscriptEntry[] = [];
    const t = track(await connect({ host: '127.0.0.1', port, security: 'none', transcript: (e) => lines.push(e) }));
    await readUntil(t, '\r\n');
    t.startCompression();
    expect(t.compressed).toBe(true);
    await t.write(enc('C2 NOOP\r\n'));
    expect(await readUntil(t, '\r\n')).toBe('echo C2 NOOP\r\n');
    await t.write(enc('C3 NOOP\r\n'));
    expect(await readUntil(t, '\r\n')).toBe('echo C3 NOOP\r\n');
    expect(lines.map((l) => l.line)).toEqual(['C1 OK deflate active', 'C2 NOOP', 'echo C2 NOOP', 'C3 NOOP', 'echo C3 NOOP']);
  });

  it('a deflate bomb does not grow the read queue: the inflater pauses with the socket', async () => {
    const total = 64 << 20; // 64 MiB of zeros deflate to about 64 KiB
    const port = await listen(createServer((s) => {
      s.on('error', () => undefined);
      s.write('C1 OK deflate active\r\n');
      const deflate = createDeflateRaw();
      deflate.on('data', (d) => s.write(d));
      deflate.end(Buffer.alloc(total));
    }));
    const t = track(await connect({ host: '127.0.0.1', port, security: 'none' }));
    await readUntil(t, '\r\n');
    t.startCompression();
    for (let i = 0; i < 200 && t.bufferedBytes <= HIGH_WATER; i++) await new Promise((r) => setTimeout(r, 5));
    expect(t.bufferedBytes).toBeGreaterThan(HIGH_WATER);
    let largest = 0;
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 5));
      largest = Math.max(largest, t.bufferedBytes);
    }
    expect(largest).toBeLessThan(HIGH_WATER + (1 << 20));
    let got = 0;
    while (got < total) got += (await t.read())!.length;
    expect(got).toBe(total);
  });
});
