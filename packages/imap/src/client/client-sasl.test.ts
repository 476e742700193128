/**
 * ImapClient's AUTHENTICATE against the real server-side verifiers of packages/sasl
 * (SCRAM-SHA-256, OAUTHBEARER, PLAIN, XOAUTH2 error challenge), over a socket: multi-step
 * exchanges, the client's proof that the server knows the password, and the LOGIN
 * command as the last resort.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

import { createServerMechanism, serverNextFromLine } from '@mailwire/sasl';
import type { SaslServerContext, SaslServerMechanism, SaslServerStep } from '@mailwire/sasl';

import { ImapClient } from './imap-client.js';
import { fakeServer, tagOf } from './fake-server.test-util.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const ctx: SaslServerContext = {
  verifyPassword: (user, password) => user === 'alice' && password === 'pencil',
  lookupPassword: (user) => (user === 'alice' ? 'pencil' : null),
  verifyToken: (_user, token) => (token === 'good' ? 'ok' : 'invalid'),
};

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** A server whose AUTHENTICATE runs a packages/sasl verifier; `skipProof` leaves SCRAM's server-final out. */
async function saslServer(caps: string, options: { skipProof?: boolean } = {}) {
  const auth = new Map<Socket, { tag: string; mech: SaslServerMechanism; failing: boolean }>();
  const respond = (socket: Socket, tag: string, step: SaslServerStep | 'cancel') => {
    const state = auth.get(socket)!;
    if (step === 'cancel') {
      auth.delete(socket);
      return socket.write(`${tag} BAD cancelled\r\n`);
    }
    if (step.kind === 'challenge') {
      if (options.skipProof && Buffer.from(step.challenge).toString().startsWith('v=')) {
        auth.delete(socket);
        return socket.write(`${tag} OK [CAPABILITY IMAP4rev1] welcome, no proof\r\n`);
      }
      return socket.write(`+ ${b64(step.challenge)}\r\n`);
    }
    if (step.kind === 'success') {
      if (step.additionalData && !options.skipProof && !state.failing) {
        state.failing = true; // reuse the flag: the next (empty) line ends with OK
        return socket.write(`+ ${b64(step.additionalData)}\r\n`);
      }
      auth.delete(socket);
      return socket.write(`${tag} OK [CAPABILITY IMAP4rev1] welcome\r\n`);
    }
    if (step.errorChallenge && !state.failing) {
      state.failing = true;
      return socket.write(`+ ${b64(step.errorChallenge)}\r\n`);
    }
    auth.delete(socket);
    return socket.write(`${tag} NO [AUTHENTICATIONFAILED] ${step.reason}\r\n`);
  };
  const s = await fakeServer(`* OK [CAPABILITY ${caps}] hi\r\n`, (line, socket) => {
    const state = auth.get(socket);
    if (state) {
      if (state.failing && line === '') {
        auth.delete(socket);
        socket.write(`${state.tag} ${options.skipProof === undefined && state.mech.name.startsWith('SCRAM') ? 'OK' : 'NO [AUTHENTICATIONFAILED] failed'}\r\n`);
        return undefined;
      }
      void serverNextFromLine(state.mech, line).then((step) => respond(socket, state.tag, step));
      return undefined;
    }
    const tag = tagOf(line);
    const m = /^\S+ AUTHENTICATE (\S+)(?: (\S+))?$/.exec(line);
    if (m) {
      const mech = createServerMechanism(m[1]!, ctx);
      auth.set(socket, { tag, mech, failing: false });
      void (m[2] === undefined ? mech.next(null) : serverNextFromLine(mech, m[2])).then((step) => respond(socket, tag, step));
      return undefined;
    }
    const login = /^\S+ LOGIN (\S+) (\S+)$/.exec(line);
    if (login) return login[1] === 'alice' && login[2] === 'pencil' ? `${tag} OK logged in\r\n` : `${tag} NO [AUTHENTICATIONFAILED] bad\r\n`;
    if (line.endsWith(' LOGOUT')) return `* BYE\r\n${tag} OK\r\n`;
    return `${tag} OK\r\n`;
  });
  cleanups.push(() => s.close());
  return s;
}

function client(port: number, auth: ConstructorParameters<typeof ImapClient>[0]['auth']) {
  return new ImapClient({ host: '127.0.0.1', port, security: 'none', allowInsecureAuth: true, ...(auth ? { auth } : {}) });
}

describe('ImapClient SASL', () => {
  it('SCRAM-SHA-256: multi-step, the server proves it knows the password', async () => {
    const s = await saslServer('IMAP4rev1 AUTH=SCRAM-SHA-256 AUTH=PLAIN');
    const c = client(s.port, { user: 'alice', password: 'pencil' });
    await c.connect();
    expect(c.state).toBe('authenticated');
    expect(s.received()).toMatch(/^A1 AUTHENTICATE SCRAM-SHA-256\r\n/);
    expect(s.received()).not.toContain('pencil');
    await c.logout();
  });

  it('SCRAM-SHA-256: a server that accepts without its signature is not trusted (EAUTH)', async () => {
    const s = await saslServer('IMAP4rev1 AUTH=SCRAM-SHA-256', { skipProof: true });
    const c = client(s.port, { user: 'alice', password: 'pencil' });
    await expect(c.connect()).rejects.toMatchObject({ code: 'EAUTH', mechanism: 'SCRAM-SHA-256' });
  });

  it('OAUTHBEARER with SASL-IR is preferred for a token; a bad token fails EAUTH after the error challenge', async () => {
    const s = await saslServer('IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=OAUTHBEARER');
    const ok = client(s.port, { user: 'alice', accessToken: 'good' });
    await ok.connect();
    expect(s.received()).toMatch(/^A1 AUTHENTICATE OAUTHBEARER \S+\r\n/);
    await ok.logout();
    const bad = client(s.port, { user: 'alice', accessToken: 'bad' });
    const err = await bad.connect().then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'EAUTH', mechanism: 'OAUTHBEARER' });
    expect((err as { oauthError?: object }).oauthError).toBeDefined();
  });

  it('PLAIN, and the LOGIN command only when no SASL mechanism fits', async () => {
    const s = await saslServer('IMAP4rev1 AUTH=PLAIN');
    await client(s.port, { user: 'alice', password: 'pencil', mechanism: 'PLAIN' }).connect();
    expect(s.received()).toMatch(/^A1 AUTHENTICATE PLAIN\r\n/);
    const bare = await saslServer('IMAP4rev1');
    const c = client(bare.port, { user: 'alice', password: 'pencil' });
    await c.connect();
    expect(bare.received()).toMatch(/^A1 LOGIN alice pencil\r\nA2 CAPABILITY\r\n/);
    const wrong = client(bare.port, { user: 'alice', password: 'nope' });
    await expect(wrong.connect()).rejects.toMatchObject({ code: 'EAUTH', mechanism: 'LOGIN', responseCode: 'AUTHENTICATIONFAILED' });
  });

  it('ENOAUTHMECH for a token when the server offers no OAuth mechanism', async () => {
    const s = await saslServer('IMAP4rev1 AUTH=PLAIN');
    await expect(client(s.port, { user: 'alice', accessToken: 'good' }).connect()).rejects.toMatchObject({ code: 'ENOAUTHMECH' });
  });
});
