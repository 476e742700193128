// The mailwire side of the POP3 bench, in its own process so its CPU time is its own.
import { Pop3Client } from '@mailwire/pop3';

const [port, count, window = 1] = process.argv.slice(2).map(Number);
const client = new Pop3Client({ host: '127.0.0.1', port, security: 'none', allowInsecureAuth: true, auth: { user: 'bench', password: 'bench' } });
await client.connect();
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
let bytes = 0;
if (window <= 1) {
  for (let i = 1; i <= count; i++) bytes += (await client.retr(i)).length;
} else {
  // PIPELINING: keep `window` RETRs in flight.
  let next = 1;
  const worker = async () => {
    while (next <= count) {
      // read the answer first: `bytes += await ...` would add to a stale total across workers
      const message = await client.retr(next++);
      bytes += message.length;
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
}
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
await client.quit();
process.stdout.write(`${JSON.stringify({ wall, cpu: (cpu.user + cpu.system) / 1e6, bytes })}\n`);
