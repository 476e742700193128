// The replay server of the end-to-end bench: a plain TCP IMAP server that answers every
// client the same prepared bytes, so the three clients are timed on identical input. What
// it answers depends on the user name the client logs in with (the row being measured):
//   meta   — SELECT with EXISTS = count, then the FETCH metadata stream (../lib/gen-fetch.js)
//            for `UID FETCH 1:*`;
//   single — one 10,240-byte BODY[] for each `UID FETCH <n> ...`;
//   bulk   — the literal stream (../lib/gen-literal.js: bodies of 10 KB–2 MB) for `UID FETCH 1:*`;
//   idle   — nothing past LOGIN (the idle-connections row);
//   sweep-<size>-<count> — `count` bodies of exactly `size` bytes for `UID FETCH 1:*` (the chart).
// Tags are echoed from the client's commands; anything else gets a tagged OK. Prints
// {"port":N} once listening. Usage: node server.js <metaCount> <singleCount> <bulkCount>
import { createServer } from 'node:net';

import { generateFetchStream } from '../lib/gen-fetch.js';
import { literalPlan, segments } from '../lib/gen-literal.js';

const [metaCount, singleCount, bulkCount] = process.argv.slice(2).map(Number);

const meta = generateFetchStream({ count: metaCount }).buffer;
// the stream ends with the generator's own tagged line: cut it, the client's tag goes instead
const metaBody = meta.subarray(0, meta.lastIndexOf(Buffer.from('\r\nA1 ')) + 2);
const bulk = literalPlan({ count: bulkCount });
const bulkSegments = [...segments(bulk)].slice(0, -1); // without the generator's tagged line

const SINGLE_SIZE = 10_240;
const singleBody = (() => {
  const line = 'The quarterly figures are attached; the summary is below, the details in the sheet.\r\n';
  let s = 'From: sender@example.com\r\nTo: team@example.org\r\nSubject: single\r\n\r\n';
  while (s.length < SINGLE_SIZE) s += line;
  return Buffer.from(s.slice(0, SINGLE_SIZE - 2) + '\r\n', 'latin1');
})();

const sweepBodies = new Map();
/** A body of exactly `size` bytes of text lines (made once per size). */
function sweepBody(size) {
  let b = sweepBodies.get(size);
  if (!b) {
    const line = Buffer.from('Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n', 'latin1');
    b = Buffer.alloc(size);
    for (let i = 0; i < size; i += line.length) line.copy(b, i, 0, Math.min(line.length, size - i));
    if (size >= 2) b.write('\r\n', size - 2, 'latin1');
    sweepBodies.set(size, b);
  }
  return b;
}

const CAPS = 'IMAP4rev1 LITERAL+';
const exists = { meta: metaCount, single: singleCount, bulk: bulkCount, idle: 0 };

function write(socket, data) {
  if (socket.write(data)) return null;
  return new Promise((resolve) => socket.once('drain', resolve));
}

async function answer(socket, state, tag, line) {
  const words = line.split(' ');
  let cmd = (words[1] ?? '').toUpperCase();
  let rest = words.slice(2);
  if (cmd === 'UID') { cmd = 'UID ' + (rest[0] ?? '').toUpperCase(); rest = rest.slice(1); }
  switch (cmd) {
    case 'CAPABILITY':
      return write(socket, `* CAPABILITY ${CAPS}\r\n${tag} OK CAPABILITY completed\r\n`);
    case 'LOGIN': {
      const user = (rest[0] ?? '').replace(/^"|"$/g, '');
      state.mode = user;
      return write(socket, `${tag} OK [CAPABILITY ${CAPS}] LOGIN completed\r\n`);
    }
    case 'SELECT': case 'EXAMINE': {
      const sweep = /^sweep-(\d+)-(\d+)$/.exec(state.mode);
      const n = sweep ? Number(sweep[2]) : exists[state.mode] ?? 0;
      return write(socket,
        `* ${n} EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n` +
        `* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n` +
        `* OK [UIDVALIDITY 1700000000] UIDs valid\r\n* OK [UIDNEXT ${n + 5000}] Predicted next UID\r\n` +
        `${tag} OK [READ-WRITE] ${cmd} completed\r\n`);
    }
    case 'UID FETCH': case 'FETCH': {
      const set = rest[0] ?? '';
      if (state.mode === 'meta' && set === '1:*') {
        await write(socket, metaBody);
      } else if (state.mode === 'bulk' && set === '1:*') {
        for (const seg of bulkSegments) { const w = write(socket, seg); if (w) await w; }
      } else if (state.mode.startsWith('sweep-') && set === '1:*') {
        const [, size, count] = state.mode.split('-').map(Number);
        const body = sweepBody(size);
        for (let seq = 1; seq <= count; seq++) {
          const head = Buffer.from(`* ${seq} FETCH (UID ${seq} BODY[] {${size}}\r\n`, 'latin1');
          const tail = Buffer.from(')\r\n', 'latin1');
          // small ones in one segment; large ones without copying the body
          const parts = size <= 65536 ? [Buffer.concat([head, body, tail])] : [head, body, tail];
          for (const part of parts) { const w = write(socket, part); if (w) await w; }
        }
      } else if (/^\d+$/.test(set)) {
        const uid = Number(set);
        await write(socket, `* ${uid} FETCH (UID ${uid} BODY[] {${SINGLE_SIZE}}\r\n`);
        await write(socket, singleBody);
        await write(socket, ')\r\n');
      }
      return write(socket, `${tag} OK FETCH completed\r\n`);
    }
    case 'LOGOUT':
      await write(socket, `* BYE logging out\r\n${tag} OK LOGOUT completed\r\n`);
      socket.end();
      return null;
    default:
      return write(socket, `${tag} OK ${cmd} completed\r\n`);
  }
}

const server = createServer((socket) => {
  socket.setNoDelay(true);
  const state = { mode: 'idle' };
  let buffered = '';
  let chain = Promise.resolve();
  socket.on('error', () => {});
  socket.on('data', (data) => {
    buffered += data.toString('latin1');
    let nl;
    while ((nl = buffered.indexOf('\r\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 2);
      if (line === 'DONE' || line === '') continue;
      const tag = line.slice(0, line.indexOf(' '));
      chain = chain.then(() => answer(socket, state, tag, line));
    }
  });
  socket.write(`* OK [CAPABILITY ${CAPS}] mailwire bench replay server ready\r\n`);
});
server.maxConnections = 5000;
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port, metaBytes: metaBody.length, bulkBytes: bulk.expected.bytes }));
});
process.on('SIGTERM', () => process.exit(0));
