// One client doing one row of the end-to-end bench against the replay server, in a process
// of its own (so the CPU time and peak RSS are that client's). Prints one JSON line:
// { wall, cpu (ms, from before connect to the end of the work), maxRSS (KiB), count, bytes },
// or for the idle row { perConnection (bytes of RSS per idle authenticated connection), ... }.
// Usage: node --expose-gc client.js <mailwire|node-imap|imapflow> <meta|single|bulk|idle> <port> <count> [user]
// (user: the server mode to log in as, default the row; the chart runs `bulk` as sweep-<size>-<count>)
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [lib, row, portArg, countArg, userArg] = process.argv.slice(2);
const port = Number(portArg);
const count = Number(countArg);
const host = '127.0.0.1';
const META_ITEMS = ['UID', 'FLAGS', 'ENVELOPE', 'BODYSTRUCTURE', 'RFC822.SIZE'];

// Each library is loaded before the clock starts: module loading is no client's work.
const modules = {
  mailwire: () => import('@mailwire/imap'),
  'node-imap': async () => require('imap'),
  imapflow: async () => require('imapflow'),
};
let mod;

const clients = {
  async mailwire(user) {
    const { ImapClient } = mod;
    const c = new ImapClient({ host, port, security: 'none', auth: { user, password: 'bench' }, allowInsecureAuth: true });
    await c.connect();
    return {
      select: () => c.select('INBOX'),
      async meta() { let n = 0; for await (const m of c.fetch('1:*', META_ITEMS, { uid: true })) { if (m.envelope) n++; } return { count: n, bytes: 0 }; },
      async one(uid) { return (await c.fetchBody(String(uid), { uid: true })).length; },
      async bulk() {
        let n = 0; let bytes = 0;
        for await (const m of c.fetch('1:*', ['UID', 'BODY.PEEK[]'], { uid: true })) { n++; bytes += m.body['BODY[]'].length; }
        return { count: n, bytes };
      },
      close: () => c.logout(),
    };
  },
  async 'node-imap'(user) {
    const Imap = mod;
    const imap = new Imap({ user, password: 'bench', host, port, tls: false, autotls: 'never' });
    await new Promise((resolve, reject) => { imap.once('ready', resolve); imap.once('error', reject); imap.connect(); });
    const fetch = (set, opts) => new Promise((resolve, reject) => {
      let n = 0; let bytes = 0;
      const f = imap.fetch(set, opts);
      f.on('message', (msg) => {
        n++;
        // the body whole, as the other two clients hand it over
        msg.on('body', (stream) => {
          const parts = [];
          stream.on('data', (d) => parts.push(d));
          stream.on('end', () => { bytes += Buffer.concat(parts).length; });
        });
      });
      f.once('error', reject);
      f.once('end', () => resolve({ count: n, bytes }));
    });
    return {
      select: () => new Promise((resolve, reject) => imap.openBox('INBOX', false, (err, box) => (err ? reject(err) : resolve(box)))),
      meta: () => fetch('1:*', { struct: true, envelope: true, size: true }),
      async one(uid) { return (await fetch(String(uid), { bodies: '' })).bytes; },
      bulk: () => fetch('1:*', { bodies: '' }),
      close: () => new Promise((resolve) => { imap.once('end', resolve); imap.end(); }),
    };
  },
  async imapflow(user) {
    const { ImapFlow } = mod;
    const c = new ImapFlow({ host, port, secure: false, auth: { user, pass: 'bench' }, logger: false, disableAutoIdle: true });
    await c.connect();
    return {
      select: () => c.mailboxOpen('INBOX'),
      async meta() {
        let n = 0;
        for await (const m of c.fetch('1:*', { uid: true, flags: true, envelope: true, bodyStructure: true, size: true }, { uid: true })) { if (m.envelope) n++; }
        return { count: n, bytes: 0 };
      },
      async one(uid) { return (await c.fetchOne(String(uid), { source: true }, { uid: true })).source.length; },
      async bulk() {
        let n = 0; let bytes = 0;
        for await (const m of c.fetch('1:*', { source: true }, { uid: true })) { n++; bytes += m.source.length; }
        return { count: n, bytes };
      },
      close: () => c.logout(),
    };
  },
};

const open = clients[lib];
if (!open) throw new Error(`unknown client ${lib}`);
mod = await modules[lib]();

if (row === 'idle') {
  const held = [await open('idle')]; // the first one loads the modules
  globalThis.gc(); globalThis.gc();
  const before = process.memoryUsage();
  for (let i = 0; i < count; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 50); j++) batch.push(open('idle'));
    held.push(...(await Promise.all(batch)));
  }
  globalThis.gc(); globalThis.gc();
  const after = process.memoryUsage();
  const result = {
    connections: count,
    perConnection: Math.round((after.rss - before.rss) / count),
    heapPerConnection: Math.round((after.heapUsed - before.heapUsed) / count),
    maxRSS: process.resourceUsage().maxRSS,
  };
  await Promise.all(held.map((h) => h.close().catch(() => {})));
  console.log(JSON.stringify(result));
} else {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const c = await open(userArg ?? row);
  await c.select();
  let out;
  if (row === 'single') {
    let bytes = 0;
    for (let uid = 1; uid <= count; uid++) bytes += await c.one(uid);
    out = { count, bytes };
  } else {
    out = await c[row]();
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(c0);
  const result = { wall: +wall.toFixed(1), cpu: +((cpu.user + cpu.system) / 1000).toFixed(1), maxRSS: process.resourceUsage().maxRSS, ...out };
  await c.close();
  console.log(JSON.stringify(result));
}
process.exit(0);
