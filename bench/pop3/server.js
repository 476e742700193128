// A minimal loopback POP3 server for the bench: N messages of SIZE bytes, answers pre-built
// (dot-stuffed once at start), so the server's own cost is a memcpy. Prints its port.
import { createServer } from 'node:net';

const count = Number(process.argv[2] ?? 2000);
const size = Number(process.argv[3] ?? 20 * 1024);
const pipelining = process.argv[4] === 'pipelining';

function message(i) {
  const lines = [`Subject: bench message ${i}`, 'From: bench@example.com', ''];
  let n = lines.join('\r\n').length + 2;
  let k = 0;
  while (n < size - 80) {
    const line = (k % 7 === 0 ? '.' : '') + `line ${k} of message ${i} `.padEnd(70, 'x');
    lines.push(line);
    n += line.length + 2;
    k++;
  }
  return Buffer.from(lines.join('\r\n') + '\r\n');
}

const bodies = [];
for (let i = 1; i <= count; i++) {
  const raw = message(i);
  const stuffed = raw.toString('latin1').replace(/^\./gm, '..');
  bodies.push(Buffer.concat([Buffer.from(`+OK ${raw.length} octets\r\n`), Buffer.from(stuffed, 'latin1'), Buffer.from('.\r\n')]));
}
const total = bodies.reduce((n, b) => n + b.length, 0);

const server = createServer((socket) => {
  socket.setNoDelay(true);
  socket.write('+OK bench POP3 ready\r\n');
  let buf = '';
  socket.on('data', (d) => {
    buf += d.toString('latin1');
    for (let i = buf.indexOf('\r\n'); i !== -1; i = buf.indexOf('\r\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const [verb, arg] = line.split(' ');
      switch ((verb ?? '').toUpperCase()) {
        case 'CAPA': socket.write(`+OK\r\nUSER\r\nUIDL\r\nTOP\r\n${pipelining ? 'PIPELINING\r\n' : ''}.\r\n`); break;
        case 'USER': case 'PASS': case 'NOOP': case 'RSET': socket.write('+OK\r\n'); break;
        case 'STAT': socket.write(`+OK ${count} ${total}\r\n`); break;
        case 'RETR': {
          const b = bodies[Number(arg) - 1];
          socket.write(b ?? '-ERR no such message\r\n');
          break;
        }
        case 'QUIT': socket.end('+OK bye\r\n'); break;
        default: socket.write('-ERR unknown command\r\n');
      }
    }
  });
  socket.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
