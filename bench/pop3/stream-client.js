// retrStream of one huge message from an in-process generator server; prints the bytes and
// the peak RSS, sampled on every chunk (flat memory means RSS does not grow with the size).
import { createServer } from 'node:net';
import { Pop3Client } from '@mailwire/pop3';

const mb = Number(process.argv[2] ?? 256);
const line = Buffer.from(`.${'z'.repeat(76)}\r\n`); // every line dot-stuffed on the wire: "..zzz"
const stuffed = Buffer.concat([Buffer.from('.'), line]);
const perChunk = 512;
const chunk = Buffer.concat(Array.from({ length: perChunk }, () => stuffed));
const chunks = Math.ceil((mb * 1024 * 1024) / (line.length * perChunk));

const server = createServer((socket) => {
  socket.write('+OK ready\r\n');
  socket.on('data', async (d) => {
    const text = d.toString('latin1');
    if (text.startsWith('CAPA')) socket.write('+OK\r\nUSER\r\n.\r\n');
    else if (text.startsWith('USER') || text.startsWith('PASS')) socket.write('+OK\r\n');
    else if (text.startsWith('RETR')) {
      socket.write('+OK\r\n');
      for (let i = 0; i < chunks; i++) if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r));
      socket.write('.\r\n');
    } else if (text.startsWith('QUIT')) socket.end('+OK\r\n');
  });
  socket.on('error', () => {});
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const client = new Pop3Client({ host: '127.0.0.1', port: server.address().port, security: 'none', allowInsecureAuth: true, auth: { user: 'u', password: 'p' } });
await client.connect();
const rss0 = process.memoryUsage.rss();
let peak = rss0;
let bytes = 0;
const t0 = process.hrtime.bigint();
for await (const part of client.retrStream(1)) {
  bytes += part.length;
  const rss = process.memoryUsage.rss();
  if (rss > peak) peak = rss;
}
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
await client.quit();
server.close();
const expected = chunks * perChunk * line.length;
if (bytes !== expected) throw new Error(`retrStream gave ${bytes} bytes, expected ${expected}`);
process.stdout.write(`${JSON.stringify({ bytes, wall, rssBeforeMiB: +(rss0 / 2 ** 20).toFixed(1), peakRssMiB: +(peak / 2 ** 20).toFixed(1) })}\n`);
