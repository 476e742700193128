// node-imap 0.8.19 (mscdex/node-imap), lib/Parser.js: reads a stream, keeps the current line
// as a string, swaps non-BODY literals for placeholders and buffers them, parses each FETCH
// into an object (parseFetch: envelope via parseFetchEnvelope with RFC 2047 decoded subject,
// bodystructure via parseBodyStructure, internaldate as Date). BODY[] literals come out as
// Readable streams ('body' event); the bench reads them to the end and counts the bytes.
import { PassThrough } from 'node:stream';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Parser } = require('imap/lib/Parser.js');

function countLeaves(bs) {
  // node-imap: each part is an array; a multipart's is [its info, ...its children's arrays]
  if (Array.isArray(bs) && bs.length > 1) {
    let n = 0;
    for (let i = 1; i < bs.length; i++) n += countLeaves(bs[i]);
    return n;
  }
  return 1;
}

async function run(chunks, probe) {
  const input = new PassThrough({ highWaterMark: 64 * 1024 });
  const parser = new Parser(input);
  const out = { responses: 0, tagged: 0, literals: 0, literalBytes: 0, samples: {} };
  let pendingBodies = 0;
  let taggedSeen = false;
  let finish;
  const done = new Promise((resolve) => { finish = resolve; });
  const maybeDone = () => { if (taggedSeen && pendingBodies === 0) finish(); };
  parser.on('untagged', (info) => {
    if (info.type !== 'fetch') return;
    out.responses++;
    if (probe && probe.has(info.num)) {
      const a = info.text;
      out.samples[info.num] = { uid: a.uid, size: a['rfc822.size'], leaves: a.bodystructure ? countLeaves(a.bodystructure) : undefined };
    }
  });
  parser.on('body', (stream) => {
    pendingBodies++;
    out.literals++;
    stream.on('data', (d) => { out.literalBytes += d.length; });
    stream.on('end', () => { pendingBodies--; maybeDone(); });
  });
  parser.on('tagged', () => { out.tagged++; taggedSeen = true; maybeDone(); });
  for (const chunk of chunks) {
    if (!input.write(chunk)) await new Promise((r) => input.once('drain', r));
  }
  await done;
  input.end();
  return out;
}

async function mailbox(chunks, probe) {
  const input = new PassThrough({ highWaterMark: 64 * 1024 });
  const parser = new Parser(input);
  const out = { responses: 0, tagged: 0, samples: {} };
  let finish;
  const done = new Promise((resolve) => { finish = resolve; });
  const sample = (name) => { const n = Number(String(name).slice(String(name).lastIndexOf('/') + 1)); return probe && probe.has(n) ? (out.samples[n] ??= {}) : null; };
  parser.on('untagged', (info) => {
    if (info.type === 'list') {
      out.responses++;
      const s = sample(info.text.name);
      if (s) s.attributes = info.text.flags.length;
    } else if (info.type === 'status') {
      out.responses++;
      const s = sample(info.text.name);
      if (s) { s.messages = info.text.attrs.messages; s.unseen = info.text.attrs.unseen; }
    }
  });
  parser.on('tagged', () => { out.tagged++; finish(); });
  for (const chunk of chunks) {
    if (!input.write(chunk)) await new Promise((r) => input.once('drain', r));
  }
  await done;
  input.end();
  return out;
}

export default {
  id: 'node-imap',
  label: 'node-imap 0.8.19 Parser',
  kind: 'peer',
  what: 'lib/Parser.js fed through a stream: line as string, regex dispatch, parseFetch -> object (envelope with RFC 2047 decoded subject, bodystructure tree, Date); BODY[] as a Readable read to the end',
  fetch: run,
  literal: run,
  mailbox,
};
