// The literal stream: what a server sends for `A1 UID FETCH 1:2000 (UID BODY[])` — 2,000
// responses `* N FETCH (UID U BODY[] {size}\r\n<bytes>)` with sizes from 10 KB to 2 MB
// (log-uniform: most mail is small), bodies of realistic text lines: headers, quoted
// replies, base64 attachment lines, and lines that look like IMAP responses so a careless
// scanner that does not skip literals is caught.
//
// The stream (~750 MB) is never held in memory: chunks are produced on demand, each a fresh
// 64 KiB Buffer as a socket would hand it over, copied from a shared text pool. So a
// contender's peak RSS is its own, and producing a chunk costs a memcpy — the same for every
// contender, the baseline included.

import { createRng } from './prng.js';

export const LITERAL_SEED = 4242;
export const LITERAL_COUNT = 2000;
export const LITERAL_TAG = 'A1';
const POOL_BYTES = 2_200_000;

const LINES = [
  'Hi all,', '', 'Thanks for the quick turnaround on this. A few comments inline below.',
  '> On Tue, 3 Mar 2026 at 09:15, Mary Smith <mary.smith@example.com> wrote:',
  '> > Please find the updated figures for the third quarter attached.',
  'The migration window is Saturday 02:00-06:00 UTC; expect a short outage of the IMAP frontends.',
  '* 12 FETCH (UID 5000 BODY[] {1234}', 'A1 OK Fetch completed.', '+ Ready for literal data', ')',
  'Best regards,', '-- ', 'John Smith | Contoso Ltd. | +44 20 7946 0958',
  '--_000_14c63cef6', 'Content-Type: text/plain; charset="utf-8"', 'Content-Transfer-Encoding: quoted-printable',
  'Gr=C3=BC=C3=9Fe aus M=C3=BCnchen, und vielen Dank f=C3=BCr die schnelle Antwort!=', '{99999}',
];

function makePool(rng) {
  // Written straight into one Buffer (no big intermediate strings), so building it leaves
  // no garbage behind that would show up in every contender's RSS.
  const b64chars = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 'latin1');
  const lines = LINES.map((l) => Buffer.from(l + '\r\n', 'latin1'));
  const text = Buffer.alloc(POOL_BYTES + 200);
  let len = 0;
  while (len < POOL_BYTES) {
    if (rng.chance(0.35)) {
      for (let i = 0; i < 76; i++) text[len++] = b64chars[rng.int(0, 63)];
      text[len++] = 13;
      text[len++] = 10;
    } else {
      len += rng.pick(lines).copy(text, len);
    }
  }
  // Doubled, so any slice up to the pool's length starting anywhere in the first copy is contiguous.
  const pool = Buffer.alloc(len * 2);
  text.copy(pool, 0, 0, len);
  text.copy(pool, len, 0, len);
  return pool;
}

/** The one-big-message stream: a single 256 MiB body, to show whether memory follows message size. */
export const BIG_SIZE = 256 * 1024 * 1024;
export const bigPlan = () => literalPlan({ count: 1, seed: LITERAL_SEED + 1, minSize: BIG_SIZE, maxSize: BIG_SIZE });

export function literalPlan({ count = LITERAL_COUNT, seed = LITERAL_SEED, minSize = 10_000, maxSize = 2_000_000 } = {}) {
  const rng = createRng(seed);
  const pool = makePool(rng);
  const half = pool.length / 2;
  const messages = [];
  let uid = 1000;
  let literalBytes = 0;
  let totalBytes = 0;
  for (let seq = 1; seq <= count; seq++) {
    uid += rng.chance(0.9) ? 1 : rng.int(2, 20);
    const size = rng.logInt(minSize, maxSize);
    const head = Buffer.from(
      'Return-Path: <sender' + seq + '@example.com>\r\n' +
      'Received: from mx' + rng.int(1, 9) + '.example.com (mx.example.com [192.0.2.' + rng.int(1, 254) + '])\r\n\tby imap.example.org with LMTP id ' +
      rng.int(1e8, 9e8).toString(36) + '; Mon, 23 Nov 2026 21:' + rng.int(10, 59) + ':00 +0000\r\n' +
      'From: "Sender ' + seq + '" <sender' + seq + '@example.com>\r\nTo: team@example.org\r\n' +
      'Subject: Message ' + seq + ' of the literal stream\r\nDate: Mon, 23 Nov 2026 21:00:00 +0000\r\n' +
      'Message-ID: <' + uid + '.literal@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n',
      'latin1');
    let offset = rng.int(0, half - 1);
    // start on a line boundary
    const nl = pool.indexOf(10, offset);
    offset = nl >= 0 && nl + 1 < half ? nl + 1 : 0;
    const line = Buffer.from('* ' + seq + ' FETCH (UID ' + uid + ' BODY[] {' + size + '}\r\n', 'latin1');
    messages.push({ seq, uid, size, head, offset, line });
    literalBytes += size;
    totalBytes += line.length + size + 3;
  }
  const tagged = Buffer.from(LITERAL_TAG + ' OK Fetch completed (1.203 + 0.000 + 1.202 secs).\r\n', 'latin1');
  totalBytes += tagged.length;
  return { pool, messages, tagged, expected: { count, literalBytes, bytes: totalBytes, tag: LITERAL_TAG } };
}

const CLOSE = Buffer.from('\r\n)\r\n', 'latin1');

/** The stream's segments in order (views into the plan, no copies). */
export function* segments(plan) {
  for (const m of plan.messages) {
    yield m.line;
    yield m.head;
    // the body from the pool, wrapping around it for a body larger than the pool
    let left = m.size - m.head.length - 2;
    let from = m.offset;
    const half = plan.pool.length / 2;
    while (left > 0) {
      const n = Math.min(left, half);
      yield plan.pool.subarray(from, from + n);
      left -= n;
      from = 0;
    }
    yield CLOSE; // the literal's last CRLF, then the closing parenthesis and the response's CRLF
  }
  yield plan.tagged;
}

/** Fresh chunks of `chunkSize` bytes (the last one shorter), produced on demand. */
export function* literalChunks(plan, chunkSize = 64 * 1024) {
  let chunk = Buffer.allocUnsafe(chunkSize);
  let fill = 0;
  for (const seg of segments(plan)) {
    let pos = 0;
    while (pos < seg.length) {
      const n = Math.min(chunkSize - fill, seg.length - pos);
      seg.copy(chunk, fill, pos, pos + n);
      fill += n;
      pos += n;
      if (fill === chunkSize) {
        yield chunk;
        chunk = Buffer.allocUnsafe(chunkSize);
        fill = 0;
      }
    }
  }
  if (fill) yield chunk.subarray(0, fill);
}
