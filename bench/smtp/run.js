// SMTP send benchmark: node bench/smtp/run.js [--runs=3] [--quick]
// A loopback sink (nodemailer's smtp-server, discarding the data) in this process; each
// client runs in its own process so its CPU time and peak RSS are its own. Workloads:
// 2,000 messages of 20 KB and 200 of 1 MB over one connection, messages sent one after
// another, each waiting for the server's final 250. Medians of --runs separate processes.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
  return m ? [m[1], m[2] ?? true] : [a, true];
}));
const quick = args.quick === true;
const runs = Number(args.runs ?? (quick ? 1 : 3));
const WORKLOADS = quick
  ? [{ name: '200 x 20 KB', count: 200, size: 20 * 1024 }, { name: '20 x 1 MB', count: 20, size: 1024 * 1024 }]
  : [{ name: '2,000 x 20 KB', count: 2000, size: 20 * 1024 }, { name: '200 x 1 MB', count: 200, size: 1024 * 1024 }];
const hasPython = spawnSync('python3', ['-c', 'import smtplib'], { stdio: 'ignore' }).status === 0;
const CONTENDERS = ['mailwire', 'nodemailer', ...(hasPython ? ['smtplib'] : [])];
// One message far larger than any buffer, streamed from a generator: peak RSS must stay flat.
const STREAM = { name: quick ? '1 x 64 MB streamed' : '1 x 512 MB streamed', count: 1, size: (quick ? 64 : 512) * 2 ** 20, contenders: ['stream:mailwire', 'stream:nodemailer'] };
WORKLOADS.push(STREAM);

let received = 0;
const sink = new SMTPServer({
  disabledCommands: ['STARTTLS', 'AUTH'],
  authOptional: true,
  logger: false,
  size: 0,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      received++;
      callback();
    });
  },
});
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
const port = sink.server.address().port;

function child(contender, count, size) {
  const [cmd, argv] = contender === 'smtplib'
    ? ['python3', [path.join(here, 'smtplib_client.py'), String(port), String(count), String(size)]]
    : [process.execPath, [path.join(here, 'client.js'), contender, String(port), String(count), String(size)]];
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`${contender} exited with ${code}`))));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
for (const w of WORKLOADS) {
  for (const contender of w.contenders ?? CONTENDERS) {
    const samples = [];
    for (let r = 0; r < runs; r++) {
      const before = received;
      const s = await child(contender, w.count, w.size);
      if (received - before !== w.count) throw new Error(`${contender}: the sink received ${received - before} of ${w.count} messages`);
      samples.push(s);
    }
    const wallMs = median(samples.map((s) => s.wallMs));
    const cpuMs = median(samples.map((s) => s.cpuMs));
    const rssMiB = median(samples.map((s) => s.rssMiB));
    results.push({ workload: w.name, contender, count: w.count, size: w.size, wallMs, cpuMs, rssMiB,
      perSecond: (w.count * 1000) / wallMs, mbPerSecond: (w.count * w.size) / 2 ** 20 / (wallMs / 1000), cpuMsPerMessage: cpuMs / w.count });
  }
}
await new Promise((resolve) => sink.close(resolve));

const lines = [`SMTP send, one connection to a loopback smtp-server sink (median of ${runs} process${runs === 1 ? '' : 'es'}; client CPU only)`, ''];
lines.push('| workload | client | messages/s | MB/s | client CPU s | CPU ms/message | peak RSS MiB | vs nodemailer (msg/s, CPU/msg) |');
lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |');
for (const r of results) {
  const nm = results.find((x) => x.workload === r.workload && x.contender.endsWith('nodemailer'));
  const ratio = r.contender.endsWith('nodemailer') ? '1.00x, 1.00x' : `${(r.perSecond / nm.perSecond).toFixed(2)}x, ${(r.cpuMsPerMessage / nm.cpuMsPerMessage).toFixed(2)}x`;
  lines.push(`| ${r.workload} | ${r.contender} | ${r.perSecond.toFixed(0)} | ${r.mbPerSecond.toFixed(1)} | ${(r.cpuMs / 1000).toFixed(2)} | ${r.cpuMsPerMessage.toFixed(3)} | ${r.rssMiB.toFixed(0)} | ${ratio} |`);
}
console.log(lines.join('\n'));
mkdirSync(path.join(here, '..', 'results'), { recursive: true });
if (!quick) writeFileSync(path.join(here, '..', 'results', 'smtp.json'), JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, loadavg: os.loadavg(), runs, results }, null, 2) + '\n');
