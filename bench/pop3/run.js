// POP3 bench: RETR of 2,000 messages of 20 KB from a loopback server, mailwire's Pop3Client
// against Python's poplib, each client in its own child process (so each CPU figure is the
// client's alone), the server in a third. Prints messages/s, CPU seconds and the ratio, and
// writes bench/results/pop3.json. Standalone: `node bench/pop3/run.js` (after `npx tsc -b packages/pop3`).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const COUNT = Number(process.env.POP3_BENCH_COUNT ?? 2000);
const SIZE = Number(process.env.POP3_BENCH_SIZE ?? 20 * 1024);
const ROUNDS = Number(process.env.POP3_BENCH_ROUNDS ?? 3);

function firstLine(child) {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`${child.spawnargs.join(' ')} exited with ${code}`)));
  });
}

async function run(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const out = await firstLine(child);
  await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  return out;
}

const WINDOW = Number(process.env.POP3_BENCH_WINDOW ?? 8);
const server = spawn(process.execPath, [`${here}server.js`, String(COUNT), String(SIZE)], { stdio: ['ignore', 'pipe', 'inherit'] });
const pserver = spawn(process.execPath, [`${here}server.js`, String(COUNT), String(SIZE), 'pipelining'], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const { port } = await firstLine(server);
  const { port: pport } = await firstLine(pserver);
  const results = { mailwire: [], pipelined: [], poplib: [] };
  for (let r = 0; r < ROUNDS; r++) {
    results.mailwire.push(await run(process.execPath, [`${here}mailwire-client.js`, String(port), String(COUNT)]));
    results.pipelined.push(await run(process.execPath, [`${here}mailwire-client.js`, String(pport), String(COUNT), String(WINDOW)]));
    results.poplib.push(await run('python3', [`${here}poplib-client.py`, String(port), String(COUNT)]));
  }
  const best = (rows) => rows.reduce((a, b) => (b.wall < a.wall ? b : a));
  const row = (name, rows) => {
    const b = best(rows);
    return { client: name, messagesPerSecond: Math.round(COUNT / b.wall), wallSeconds: +b.wall.toFixed(3), cpuSeconds: +b.cpu.toFixed(3), bytes: b.bytes };
  };
  const mw = row('mailwire', results.mailwire);
  const pl = row(`mailwire, PIPELINING x${WINDOW}`, results.pipelined);
  const py = row('poplib', results.poplib);
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    messages: COUNT,
    messageBytes: SIZE,
    rounds: ROUNDS,
    rows: [mw, pl, py],
    // one RETR at a time, like poplib (the like-for-like figure)
    ratio: { messagesPerSecond: +(mw.messagesPerSecond / py.messagesPerSecond).toFixed(2), cpu: +(py.cpuSeconds / mw.cpuSeconds).toFixed(2) },
    // with PIPELINING offered by the server (poplib cannot pipeline)
    ratioPipelined: { messagesPerSecond: +(pl.messagesPerSecond / py.messagesPerSecond).toFixed(2), cpu: +(py.cpuSeconds / pl.cpuSeconds).toFixed(2) },
  };
  console.log(`POP3 RETR ${COUNT} x ${SIZE} B, best of ${ROUNDS}`);
  for (const x of report.rows) console.log(`  ${x.client.padEnd(24)} ${String(x.messagesPerSecond).padStart(7)} msg/s  ${x.cpuSeconds.toFixed(3)} s CPU`);
  console.log(`  mailwire / poplib        ${report.ratio.messagesPerSecond}x messages/s, ${report.ratio.cpu}x less CPU`);
  console.log(`  pipelined / poplib       ${report.ratioPipelined.messagesPerSecond}x messages/s, ${report.ratioPipelined.cpu}x less CPU`);
  const STREAM_MB = Number(process.env.POP3_BENCH_STREAM_MB ?? 256);
  if (STREAM_MB > 0) {
    const st = await run(process.execPath, [`${here}stream-client.js`, String(STREAM_MB)]);
    report.retrStream = { ...st, megabytesPerSecond: Math.round(st.bytes / 2 ** 20 / st.wall) };
    console.log(`  retrStream of one ${STREAM_MB} MiB message (every line dot-stuffed): ${report.retrStream.megabytesPerSecond} MiB/s, RSS ${st.rssBeforeMiB} -> peak ${st.peakRssMiB} MiB`);
  }
  mkdirSync(`${here}../results`, { recursive: true });
  writeFileSync(`${here}../results/pop3.json`, `${JSON.stringify(report, null, 2)}\n`);
} finally {
  server.kill('SIGTERM');
  pserver.kill('SIGTERM');
}
