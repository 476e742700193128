/**
 * IMAP commands valid in any state, and the session-level ones: CAPABILITY, NOOP, LOGOUT
 * (RFC 9051 §6.1), ID (RFC 2971), ENABLE (RFC 5161), NAMESPACE (RFC 2342), IDLE (RFC 2177),
 * CHECK.
 */
import { ANY, AUTHED, SELECTED, type Handler } from './handler.js';
import { imapString } from './format.js';

export const anyStateCommands: Record<string, Handler> = {
  CAPABILITY: {
    states: ANY,
    async run(s, tag) {
      await s.send(`* CAPABILITY ${s.capabilities().join(' ')}`);
      await s.ok(tag, 'CAPABILITY');
    },
  },
  NOOP: {
    states: ANY,
    async run(s, tag) {
      await s.sync();
      await s.ok(tag, 'NOOP');
    },
  },
  CHECK: {
    states: SELECTED,
    async run(s, tag) {
      await s.sync();
      await s.ok(tag, 'CHECK');
    },
  },
  LOGOUT: {
    states: ANY,
    async run(s, tag) {
      await s.send(`* BYE ${s.texts.logoutBye}`);
      await s.ok(tag, 'LOGOUT');
      s.state = 'logout';
    },
  },
  ID: {
    states: ANY,
    async run(s, tag) {
      await s.send(`* ID (${imapString('name')} ${imapString(`mailwire test-servers (${s.ctx.personality.name})`)})`);
      await s.ok(tag, 'ID');
    },
  },
  ENABLE: {
    states: AUTHED,
    async run(s, tag) {
      await s.send('* ENABLED');
      await s.ok(tag, 'ENABLE');
    },
  },
  NAMESPACE: {
    states: AUTHED,
    async run(s, tag) {
      await s.send('* NAMESPACE (("" "/")) NIL NIL');
      await s.ok(tag, 'NAMESPACE');
    },
  },
  IDLE: {
    states: AUTHED,
    async run(s, tag) {
      await s.send(`+ ${s.texts.idleAccepted}`);
      let pushing = Promise.resolve();
      s.onMailboxChange = () => {
        pushing = pushing.then(() => s.sync());
      };
      await s.sync();
      const line = await s.conn.readLine(s.ctx.limits.maxLineBytes);
      s.onMailboxChange = null;
      await pushing;
      if (line === null || line === 'too-long') return;
      if (line.toString('latin1').toUpperCase() !== 'DONE') {
        await s.send(`${tag} BAD ${s.texts.bad('Expected DONE.')}`);
        return;
      }
      await s.ok(tag, 'IDLE');
    },
  },
};
