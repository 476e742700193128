// `npm run bench`: mailwire's IMAP parser against the peers, in one run, on two streams.
//   node bench/run.js [--only=id,id] [--stream=fetch|literal|big] [--runs=3] [--save]
//   node bench/run.js --profile=<contender-id> [--stream=fetch]   (CPU profile, top self-time functions)
//   node bench/run.js --suite=imap,pop3   (which suites; default all: imap here, then every bench/<name>/run.js)
// Other suites are found by directory: each bench/<name>/run.js is standalone, writes
// bench/results/<name>.json, and is run in its own process after the IMAP part, with --quick passed on.
// Each contender runs in its own child process (bench/child.js) so its peak RSS is its own;
// results go to bench/results/latest.json and latest.md (and <date>.md with --save).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FETCH_COUNT, FETCH_SEED, generateFetchStream } from './lib/gen-fetch.js';
import { BIG_SIZE, bigPlan, literalPlan } from './lib/gen-literal.js';
import { generateMailboxStream } from './lib/gen-mailbox.js';
import { loadAll } from './contenders/index.js';
import { topSelfTime } from './lib/profile.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
  return m ? [m[1], m[2] ?? true] : [a, true];
}));
const only = args.only ? new Set(String(args.only).split(',')) : null;
const streams = args.stream ? String(args.stream).split(',') : ['fetch', 'mailbox', 'literal', 'big'];
const TITLES = { fetch: 'FETCH stream', mailbox: 'Mailbox stream (LIST + STATUS)', literal: 'Literal stream', big: 'One big message' };
const runs = Number(args.runs ?? 3);
const suites = args.suite ? new Set(String(args.suite).split(',')) : null;
const GENERATOR_VERSION = 2; // bump when the generators change, so cached streams are rebuilt
// The FETCH stream every recorded result was measured on; a different hash means the
// generator changed (bump GENERATOR_VERSION and this pin together) or the cache is damaged.
const FETCH_SHA256 = '35977dd02060b87df968f2e95fe1fb8fc14f66354bdc496ee93ef7f98ffa67a3';

function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memGB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** Which code was measured: HEAD, and whether wire/imap sources differ from it. */
function provenance() {
  const git = (...a) => spawnSync('git', a, { cwd: here, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD').stdout.trim();
  const dirty = git('status', '--porcelain', '--', '../packages/wire', '../packages/imap').stdout.trim();
  return `${head}${dirty ? ' (wire/imap with uncommitted changes)' : ''}`;
}

function fetchStreamFile() {
  const dir = path.join(os.tmpdir(), 'mailwire-bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `fetch-v${GENERATOR_VERSION}-${FETCH_SEED}-${FETCH_COUNT}.bin`);
  if (existsSync(file) && existsSync(file + '.json')) {
    const meta = JSON.parse(readFileSync(file + '.json', 'utf8'));
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
    if (sha256 === meta.sha256 && sha256 === FETCH_SHA256) return { file, meta };
  }
  const t0 = Date.now();
  const { buffer, expected } = generateFetchStream();
  const sha256 = createHash('sha256').update(buffer).digest('hex');
  const meta = { ...expected, sha256 };
  writeFileSync(file + '.tmp', buffer);
  writeFileSync(file + '.json', JSON.stringify(meta));
  renameSync(file + '.tmp', file);
  console.log(`generated the FETCH stream in ${Date.now() - t0} ms -> ${file}`);
  if (sha256 !== FETCH_SHA256) {
    console.log(`WARNING: the FETCH stream's sha256 is ${sha256}, not the pinned ${FETCH_SHA256}: the generator changed, so results are not comparable with earlier ones`);
  }
  return { file, meta };
}

function runChild(stream, id, file) {
  const n = stream === 'big' ? Math.min(runs, 2) : runs;
  const res = spawnSync(process.execPath, ['--expose-gc', path.join(here, 'child.js'), stream, id, file ?? '', String(n)], {
    encoding: 'utf8', timeout: 150_000, maxBuffer: 16 * 1024 * 1024,
  });
  const line = (res.stdout || '').split('\n').find((l) => l.startsWith('RESULT '));
  if (line) return JSON.parse(line.slice(7));
  return { id, stream, error: `child exited ${res.status ?? res.signal}: ${(res.stderr || '').trim().split('\n').slice(-3).join(' | ')}` };
}

const fmt = (x, d = 1) => (x === undefined || x === null || Number.isNaN(x) ? '-' : x.toFixed(d));
const big = (x) => (x >= 1e6 ? (x / 1e6).toFixed(2) + 'M' : x >= 1e3 ? Math.round(x / 1e3) + 'k' : String(Math.round(x)));

function table(stream, rows) {
  const ok = rows.filter((r) => r.ok);
  const peers = ok.filter((r) => r.kind === 'peer');
  const fastestPeer = peers.reduce((a, r) => (!a || r.bestMs < a.bestMs ? r : a), null);
  const base = ok.find((r) => r.id === 'baseline');
  const head = ['contender', 'MB/s', stream === 'fetch' || stream === 'mailbox' ? 'responses/s' : 'messages/s', 'best s', 'cpu s', 'peak RSS MB', 'vs fastest peer'];
  if (stream !== 'fetch') head.push('time vs indexOf');
  if (stream === 'mailbox') head.push('vs node-imap');
  const lines = [head];
  for (const r of rows) {
    if (!r.ok) {
      lines.push([r.label, r.unavailable ? 'n/a: ' + r.unavailable : r.skipped ? 'skipped' : 'FAILED: ' + String(r.error).split('\n')[0]]);
      continue;
    }
    const row = [r.label, fmt(r.mbPerS, 0), big(r.responsesPerS), fmt(r.bestMs / 1000, 3), fmt(r.bestCpuMs / 1000, 3), fmt(r.maxRssMB, 0),
      fastestPeer ? (fastestPeer.bestMs / r.bestMs).toFixed(2) + 'x' : '-'];
    if (stream !== 'fetch') row.push(base ? (r.bestMs / base.bestMs).toFixed(2) + 'x' : '-');
    if (stream === 'mailbox') { const ni = ok.find((x) => x.id === 'node-imap'); row.push(ni ? (ni.bestMs / r.bestMs).toFixed(2) + 'x' : '-'); }
    lines.push(row);
  }
  return { lines, fastestPeer: fastestPeer?.label, baseline: base?.bestMs };
}

/** The issue-5 targets, checked against this run's rows. */
function verdicts(rows) {
  const get = (stream, id) => rows.find((r) => r.stream === stream && r.id === id && r.ok);
  const fastestPeer = (stream) => rows.filter((r) => r.stream === stream && r.ok && r.kind === 'peer')
    .reduce((a, r) => (!a || r.bestMs < a.bestMs ? r : a), null);
  const out = [];
  const dec = get('fetch', 'mailwire-decoder');
  const fp = fastestPeer('fetch');
  if (dec && fp) {
    const x = fp.bestMs / dec.bestMs;
    out.push(`${x >= 5 ? 'MET ' : 'MISSED'} FETCH stream: ImapResponseDecoder ${x.toFixed(2)}x the fastest peer (${fp.label}); target 5x`);
  }
  const mb = get('mailbox', 'mailwire-decoder');
  const ni = get('mailbox', 'node-imap');
  if (mb && ni) {
    const x = ni.bestMs / mb.bestMs;
    out.push(`${x >= 5 ? 'MET ' : 'MISSED'} Mailbox stream (LIST + STATUS): ImapResponseDecoder ${x.toFixed(2)}x node-imap; target 5x (issue 10)`);
  }
  const st = get('literal', 'mailwire-decoder-stream');
  const base = get('literal', 'baseline');
  if (st && base) {
    const x = st.bestMs / base.bestMs;
    out.push(`${x <= 2 ? 'MET ' : 'MISSED'} Literal stream: streaming decoder takes ${x.toFixed(2)}x the indexOf scan's time; target at most 2x`);
  }
  const bst = get('big', 'mailwire-decoder-stream');
  const bbase = get('big', 'baseline');
  const lst = get('literal', 'mailwire-decoder-stream');
  if (bst && bbase) {
    const extra = bst.maxRssMB - bbase.maxRssMB;
    out.push(`${extra < 32 ? 'MET ' : 'MISSED'} Flat memory: streaming decoder's peak RSS on one 256 MiB message is ${bst.maxRssMB.toFixed(0)} MB, the scan's ${bbase.maxRssMB.toFixed(0)} MB` +
      (lst ? `, on 2,000 messages up to 2 MB ${lst.maxRssMB.toFixed(0)} MB` : '') + '; target: independent of message size');
  }
  return out;
}

function renderText(lines) {
  const widths = [];
  for (const l of lines) if (l.length > 2) l.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, String(c).length); });
  return lines.map((l) => (l.length <= 2 ? l.join('  ') : l.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '))).join('\n');
}

function renderMd(lines) {
  const n = lines[0].length;
  const out = ['| ' + lines[0].join(' | ') + ' |', '|' + lines[0].map((_, i) => (i ? ' ---: |' : ' --- |')).join('')];
  for (const l of lines.slice(1)) out.push('| ' + (l.length === 2 ? [l[0], l[1], ...Array(n - 2).fill('')] : l).join(' | ') + ' |');
  return out.join('\n');
}

function profile(id, stream = streams[0], quiet = false) {
  const dir = path.join(os.tmpdir(), 'mailwire-bench', 'profiles');
  mkdirSync(dir, { recursive: true });
  const file = stream === 'fetch' ? fetchStreamFile().file : '';
  const name = `${id}-${stream}-${Date.now()}.cpuprofile`;
  const res = spawnSync(process.execPath, ['--expose-gc', '--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', name,
    path.join(here, 'child.js'), stream, id, file, String(runs)], { encoding: 'utf8', timeout: 300_000 });
  const line = (res.stdout || '').split('\n').find((l) => l.startsWith('RESULT '));
  if (!line || !existsSync(path.join(dir, name))) {
    console.log(res.stderr);
    return [];
  }
  const top = topSelfTime(path.join(dir, name), 25);
  if (!quiet) {
    console.log(line.slice(0, 400));
    console.log(`\nTop self time, ${id} on the ${stream} stream (${path.join(dir, name)}):`);
    for (const l of top) console.log('  ' + l);
  }
  return top;
}

/** Every bench/<name>/run.js beside this file, by name (lib, contenders, results are not suites). */
function otherSuites() {
  return readdirSync(here, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(here, d.name, 'run.js')))
    .map((d) => d.name)
    .sort();
}

/** Runs the other suites one after another, each in its own process; returns the names that failed. */
function runOtherSuites() {
  const failed = [];
  for (const name of otherSuites()) {
    if (suites && !suites.has(name)) continue;
    console.log(`\n=== suite ${name}: node bench/${name}/run.js ===`);
    const pass = args.quick ? ['--quick'] : [];
    const res = spawnSync(process.execPath, [path.join(here, name, 'run.js'), ...pass], { stdio: 'inherit', cwd: path.dirname(here) });
    if (res.status !== 0) {
      console.log(`suite ${name} failed: exit ${res.status ?? res.signal}`);
      failed.push(name);
    } else if (!existsSync(path.join(here, 'results', `${name}.json`))) {
      console.log(`suite ${name} wrote no bench/results/${name}.json`);
      failed.push(name);
    }
  }
  return failed;
}

async function main() {
  if (args.profile) return profile(String(args.profile));
  if (!suites || suites.has('imap')) await imapSuite();
  const failed = runOtherSuites();
  if (failed.length) {
    console.log(`\nsuites that failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

async function imapSuite() {
  const t0 = Date.now();
  const contenders = await loadAll();
  const info = machine();
  console.log(`mailwire bench — node ${info.node} (V8 ${info.v8}), ${info.cpu}, ${info.cores} cores, ${info.memGB} GB, ${info.platform}, load ${info.loadavg.join(' ')}`);
  const descriptions = {};
  let fetchFile = null;
  if (streams.includes('fetch')) {
    const { file, meta } = fetchStreamFile();
    fetchFile = file;
    descriptions.fetch = `${meta.count} \`* N FETCH (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)\` responses + tagged OK, ${(meta.bytes / 1e6).toFixed(1)} MB, sha256 ${meta.sha256.slice(0, 16)}…, fed in 64 KiB chunks`;
  }
  if (streams.includes('mailbox')) {
    const e = generateMailboxStream().expected;
    descriptions.mailbox = `${e.mailboxes} \`* LIST (attributes) "/" name\` + ${e.mailboxes} \`* STATUS name (MESSAGES UIDNEXT UIDVALIDITY UNSEEN [HIGHESTMODSEQ])\` responses (RFC 5819 LIST-STATUS; quoted, escaped, modified UTF-7 and ${e.literals} literal names) + tagged OK, ${(e.bytes / 1e6).toFixed(1)} MB, fed in 64 KiB chunks`;
  }
  if (streams.includes('literal')) {
    const e = literalPlan().expected;
    descriptions.literal = `${e.count} \`* N FETCH (UID N BODY[] {size})\` responses, bodies 10 KB–2 MB (log-uniform), ${(e.literalBytes / 1e6).toFixed(1)} MB of literals, ${(e.bytes / 1e6).toFixed(1)} MB total, produced as fresh 64 KiB chunks`;
  }
  if (streams.includes('big')) {
    const e = bigPlan().expected;
    descriptions.big = `one \`* 1 FETCH (UID N BODY[] {${BIG_SIZE}})\` response (${BIG_SIZE / 2 ** 20} MiB body), fresh 64 KiB chunks: peak RSS shows whether memory follows message size (best of ${Math.min(runs, 2)})`;
    void e;
  }
  const commit = provenance();
  console.log(`code: ${commit}`);
  const results = { date: new Date().toISOString(), commit, machine: info, streams: descriptions, runs, rows: [] };
  const md = [`# mailwire bench, ${results.date}`, '',
    `node ${info.node} (V8 ${info.v8}) · ${info.cpu} · ${info.cores} cores · ${info.memGB} GB · ${info.platform} · load average at start ${info.loadavg.join(' ')}`, '',
    `Code measured: ${commit} (the built packages/*/dist).`, '',
    `Each contender in its own process; first run verifies the results against the generator and warms up, then best of at least ${runs} timed runs back to back (up to 7 for contenders that take under 2 s in all). Command: \`npm run bench\`.`, ''];
  for (const stream of streams) {
    const rows = [];
    console.log(`\n${TITLES[stream]}: ${descriptions[stream]}`);
    for (const c of contenders) {
      if (!c[stream === 'big' ? 'literal' : stream] || (only && !only.has(c.id))) continue;
      process.stdout.write(`  ${c.label} ... `);
      const r = { ...runChild(stream, c.id, fetchFile), label: c.label, kind: c.kind, what: c.what };
      console.log(r.ok ? `${fmt(r.bestMs / 1000, 3)} s` : r.unavailable ? `n/a (${r.unavailable})` : `FAILED\n${r.error}`);
      rows.push(r);
      results.rows.push(r);
    }
    const t = table(stream, rows);
    console.log('\n' + renderText(t.lines));
    md.push(`## ${TITLES[stream]}`, '', descriptions[stream], '', renderMd(t.lines), '');
  }
  const v = verdicts(results.rows);
  results.targets = v;
  if (v.length) {
    console.log('\nTargets (issue 5):\n' + v.map((x) => '  ' + x).join('\n'));
    md.push('## Targets (issue 5)', '', ...v.map((x) => '- ' + x), '');
  }
  if (args.save && streams.includes('fetch')) {
    // Where the decoder's time goes, for the record: a CPU profile of the same child.
    const top = profile('mailwire-decoder', 'fetch', true).slice(0, 15);
    if (top.length) {
      md.push('## Where mailwire-decoder spends its time (FETCH stream, `node --cpu-prof`, self time)', '', '```', ...top, '```', '');
    }
  }
  md.push('## What each contender does', '');
  for (const c of contenders) if (!only || only.has(c.id)) md.push(`- **${c.label}**: ${c.what}`);
  md.push('', '"vs fastest peer": the fastest peer\'s best time divided by this row\'s (above 1 is faster). ' +
    '"time vs indexOf": this row\'s best time divided by the baseline\'s (1 is as fast as the bare scan). ' +
    '"cpu s": CPU time of the best run\'s process (all threads), steadier than wall time on a shared machine. ' +
    'Peak RSS is the child process\'s maxRSS, the FETCH stream\'s 55 MB input buffer included. ' +
    'On the literal streams most of the time is producing fresh 64 KiB buffers (as a socket does) and freeing them, so a ratio near or below 1 there means "adds nothing measurable".', '');
  const elapsed = Math.round((Date.now() - t0) / 1000);
  md.push(`Whole run: ${elapsed} s.`, '');
  results.elapsedS = elapsed;
  const dir = path.join(here, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(path.join(dir, 'latest.md'), md.join('\n'));
  if (args.save) writeFileSync(path.join(dir, `${results.date.slice(0, 10)}.md`), md.join('\n'));
  console.log(`\nwhole run ${elapsed} s; results in bench/results/latest.json and latest.md`);
  if (results.rows.some((r) => r.error)) process.exitCode = 1;
}

main();
