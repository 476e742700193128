// End-to-end IMAP bench: each client (mailwire's ImapClient from packages/imap/dist, node-imap
// 0.8.19, imapflow 2.10.2) in a process of its own over loopback TCP against a replay server
// (server.js, a third process) that answers all three the same prepared bytes. Rows:
//   meta   — connect + login + SELECT + UID FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)
//   single — the same, then one UID FETCH <n> BODY.PEEK[] of 10 KB at a time, in sequence
//   bulk   — the same, then one UID FETCH 1:* BODY.PEEK[] of bodies of 10 KB–2 MB
//   idle   — RSS per idle authenticated connection (mailwire against imapflow)
// Wall and CPU from before connect to the end of the work; each figure the median of ROUNDS
// processes; ratio = the best peer's median wall time / mailwire's (above 1: mailwire faster).
//   chart  — MB/s of UID FETCH 1:* BODY.PEEK[] for bodies of 1 KiB to 4 MiB, the three clients
// Writes bench/results/e2e.json and bench/results/e2e-throughput.svg (markup written here, no dependency). Standalone: `node bench/e2e/run.js [--quick]` after `npx tsc -b`.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const quick = process.argv.includes('--quick');
const COUNTS = quick
  ? { meta: 5000, single: 200, bulk: 200, idle: 100 }
  : { meta: 50_000, single: 2000, bulk: 2000, idle: 1000 };
const ROUNDS = Number(process.env.E2E_ROUNDS ?? 3);
const LIBS = ['mailwire', 'node-imap', 'imapflow'];
const ROWS = [
  { id: 'meta', what: `connect + login + UID FETCH 1:* metadata, ${COUNTS.meta} messages` },
  { id: 'single', what: `${COUNTS.single} single-message body fetches in sequence (10 KB)` },
  { id: 'bulk', what: `one UID FETCH 1:* BODY.PEEK[] of ${COUNTS.bulk} bodies (10 KB–2 MB)` },
];

function firstLine(child) {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`${child.spawnargs.join(' ')} exited with ${code}`)));
  });
}

async function run(args) {
  const child = spawn(process.execPath, ['--expose-gc', `${here}client.js`, ...args], { stdio: ['ignore', 'pipe', 'inherit'], cwd: `${here}..` });
  const out = await firstLine(child);
  await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  return out;
}

// The chart: throughput of one UID FETCH 1:* BODY.PEEK[] against the body size.
const SWEEP_SIZES = [1024, 4096, 16384, 65536, 262144, 1048576, 4194304];
const SWEEP_BYTES = quick ? 4 * 2 ** 20 : 32 * 2 ** 20;
const sweepCount = (size) => Math.max(8, Math.min(4000, Math.round(SWEEP_BYTES / size)));
const COLORS = { mailwire: '#1f77b4', 'node-imap': '#d62728', imapflow: '#2ca02c' };

/** A line chart of MB/s against body size (log scale), as SVG markup written by hand. */
function chartSvg(sweep) {
  const W = 640; const H = 380; const L = 64; const R = 20; const T = 40; const B = 56;
  const maxY = Math.max(...sweep.flatMap((p) => LIBS.map((l) => p[l]))) * 1.1;
  const step = [10, 20, 50, 100, 200, 250, 500, 1000, 2000].find((s) => maxY / s <= 8) ?? 5000;
  const x = (i) => L + (i / (sweep.length - 1)) * (W - L - R);
  const y = (v) => H - B - (v / maxY) * (H - T - B);
  const label = (n) => (n >= 2 ** 20 ? `${n / 2 ** 20} MiB` : `${n / 1024} KiB`);
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">UID FETCH 1:* BODY.PEEK[] over loopback: MB/s by body size (median of ${ROUNDS})</text>`];
  for (let v = 0; v <= maxY; v += step) {
    out.push(`<line x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${L - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v}</text>`);
  }
  sweep.forEach((p, i) => out.push(`<text x="${x(i).toFixed(1)}" y="${H - B + 18}" text-anchor="middle">${label(p.size)}</text>`));
  out.push(`<text x="${W / 2}" y="${H - 12}" text-anchor="middle">body size (log scale)</text>`,
    `<text x="16" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(T + H - B) / 2})">MB/s (10^6 bytes of bodies per second)</text>`,
    `<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#333"/><line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#333"/>`);
  LIBS.forEach((lib, k) => {
    const pts = sweep.map((p, i) => `${x(i).toFixed(1)},${y(p[lib]).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${COLORS[lib]}" stroke-width="2" points="${pts}"/>`);
    for (const pt of pts.split(' ')) { const [px, py] = pt.split(','); out.push(`<circle cx="${px}" cy="${py}" r="3" fill="${COLORS[lib]}"/>`); }
    out.push(`<rect x="${L + 12}" y="${T + 6 + k * 18}" width="14" height="4" fill="${COLORS[lib]}"/>`,
      `<text x="${L + 32}" y="${T + 12 + k * 18}">${lib}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

const server = spawn(process.execPath, [`${here}server.js`, String(COUNTS.meta), String(COUNTS.single), String(COUNTS.bulk)], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const { port, metaBytes, bulkBytes } = await firstLine(server);
  const runs = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const row of ROWS) {
      for (const lib of LIBS) {
        const out = await run([lib, row.id, String(port), String(COUNTS[row.id])]);
        (runs[`${row.id}/${lib}`] ??= []).push(out);
      }
    }
    for (const lib of ['mailwire', 'imapflow']) (runs[`idle/${lib}`] ??= []).push(await run([lib, 'idle', String(port), String(COUNTS.idle)]));
    for (const size of SWEEP_SIZES) {
      for (const lib of LIBS) {
        const out = await run([lib, 'bulk', String(port), String(sweepCount(size)), `sweep-${size}-${sweepCount(size)}`]);
        if (out.bytes !== size * sweepCount(size)) throw new Error(`${lib} sweep ${size}: ${out.bytes} bytes`);
        (runs[`sweep-${size}/${lib}`] ??= []).push(out);
      }
    }
  }
  const sweep = SWEEP_SIZES.map((size) => {
    const p = { size, count: sweepCount(size) };
    for (const lib of LIBS) p[lib] = +((size * p.count) / 1e6 / (median(runs[`sweep-${size}/${lib}`].map((x) => x.wall)) / 1000)).toFixed(1);
    return p;
  });
  const rows = ROWS.map((row) => {
    const byLib = {};
    for (const lib of LIBS) {
      const rs = runs[`${row.id}/${lib}`];
      const counts = new Set(rs.map((x) => `${x.count}/${x.bytes}`));
      if (counts.size !== 1) throw new Error(`${lib} ${row.id}: results differ between runs: ${[...counts]}`);
      byLib[lib] = { wallMs: median(rs.map((x) => x.wall)), cpuMs: median(rs.map((x) => x.cpu)), peakRssMiB: +(median(rs.map((x) => x.maxRSS)) / 1024).toFixed(1), count: rs[0].count, bytes: rs[0].bytes, walls: rs.map((x) => x.wall) };
    }
    const sig = new Set(LIBS.map((l) => `${byLib[l].count}/${byLib[l].bytes}`));
    if (sig.size !== 1) throw new Error(`${row.id}: the clients disagree on what they received: ${[...sig]}`);
    const bestPeer = Math.min(byLib['node-imap'].wallMs, byLib.imapflow.wallMs);
    const bestPeerCpu = Math.min(byLib['node-imap'].cpuMs, byLib.imapflow.cpuMs);
    return { row: row.id, what: row.what, clients: byLib,
      ratioToBestPeer: { wall: +(bestPeer / byLib.mailwire.wallMs).toFixed(2), cpu: +(bestPeerCpu / byLib.mailwire.cpuMs).toFixed(2) },
      ratioToNodeImap: +(byLib['node-imap'].wallMs / byLib.mailwire.wallMs).toFixed(2) };
  });
  const idle = {};
  for (const lib of ['mailwire', 'imapflow']) {
    const rs = runs[`idle/${lib}`];
    idle[lib] = { rssPerConnectionKiB: +(median(rs.map((x) => x.perConnection)) / 1024).toFixed(1), heapPerConnectionKiB: +(median(rs.map((x) => x.heapPerConnection)) / 1024).toFixed(1) };
  }
  idle.ratioToImapflow = +(idle.mailwire.rssPerConnectionKiB / idle.imapflow.rssPerConnectionKiB).toFixed(2);
  const report = { date: new Date().toISOString(), node: process.version, quick, rounds: ROUNDS, counts: COUNTS, metaBytes, bulkBytes, rows, idle: { connections: COUNTS.idle, ...idle }, throughputBySize: sweep };

  console.log(`IMAP end to end over loopback, median of ${ROUNDS} processes${quick ? ' (--quick)' : ''}`);
  console.log(`  ${'row'.padEnd(7)} ${LIBS.map((l) => `${l} ms (cpu)`.padStart(22)).join('')}   best peer / mailwire`);
  for (const r of rows) {
    console.log(`  ${r.row.padEnd(7)} ${LIBS.map((l) => `${r.clients[l].wallMs.toFixed(0)} (${r.clients[l].cpuMs.toFixed(0)})`.padStart(22)).join('')}   ${r.ratioToBestPeer.wall}x`);
  }
  console.log(`  idle    ${COUNTS.idle} connections: mailwire ${idle.mailwire.rssPerConnectionKiB} KiB RSS each, imapflow ${idle.imapflow.rssPerConnectionKiB} KiB (${idle.ratioToImapflow}x)`);
  console.log(`  MB/s by body size: ${sweep.map((p) => `${p.size / 1024} KiB ${LIBS.map((l) => p[l]).join('/')}`).join(', ')} (${LIBS.join('/')})`);
  mkdirSync(`${here}../results`, { recursive: true });
  writeFileSync(`${here}../results/e2e-throughput.svg`, chartSvg(sweep));
  writeFileSync(`${here}../results/e2e.json`, `${JSON.stringify(report, null, 2)}\n`);
} finally {
  server.kill('SIGTERM');
}
