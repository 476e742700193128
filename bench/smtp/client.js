// One benchmark client in its own process: node bench/smtp/client.js <contender> <port> <count> <size>
// Prints one JSON line: wall ms, client CPU ms (user + system), peak RSS MiB, messages sent.
import { buildMessage } from './message.js';

const [contender, portText, countText, sizeText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const size = Number(sizeText);
// A "stream:" contender sends one message of `size` bytes generated chunk by chunk, so
// peak RSS shows whether memory stays flat for a message far larger than any buffer.
const streamed = contender.startsWith('stream:');
const message = streamed ? buildMessage(64 * 1024) : buildMessage(size);
async function* chunks() {
  for (let sent = 0; sent < size; sent += message.length) yield message;
}
const envelope = { from: 'bench@example.com', to: ['sink@example.com'] };

async function mailwire() {
  const { SmtpClient } = await import('../../packages/smtp/dist/index.js');
  const client = new SmtpClient({ host: '127.0.0.1', port, security: 'none', name: 'bench.example' });
  await client.connect();
  for (let i = 0; i < count; i++) await client.send(envelope, streamed ? chunks() : message);
  await client.quit();
}

async function nodemailer() {
  const { default: nm } = await import('nodemailer');
  const transport = nm.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity, name: 'bench.example' });
  const { Readable } = await import('node:stream');
  for (let i = 0; i < count; i++) await transport.sendMail({ envelope, raw: streamed ? Readable.from(chunks()) : message });
  transport.close();
}

const start = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const name = contender.replace(/^stream:/, '');
if (name === 'mailwire') await mailwire();
else if (name === 'nodemailer') await nodemailer();
else throw new Error(`unknown contender ${contender}`);
const cpu = process.cpuUsage(cpu0);
const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
console.log(JSON.stringify({ contender, count, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, rssMiB: process.resourceUsage().maxRSS / 1024 }));
