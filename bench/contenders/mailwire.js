// mailwire, from the BUILT packages (packages/*/dist through the workspace links), as an
// application would import it. Loaded lazily so the bench still runs while a layer is missing.
import { leafCount } from '../lib/gen-fetch.js';

const STREAM_THRESHOLD = 64 * 1024;
const HELD_LIMITS = { maxLiteralBytes: 1024 * 1024 * 1024, maxMessageBytes: 1024 * 1024 * 1024 };

async function loadWire() {
  return import('@mailwire/wire');
}
async function loadDecoder() {
  const m = await import('@mailwire/imap');
  if (typeof m.ImapResponseDecoder !== 'function') throw new Error('@mailwire/imap does not export ImapResponseDecoder yet');
  return m.ImapResponseDecoder;
}

// --- wire layer alone ---------------------------------------------------------------------

let wire;
async function framerRun(chunks) {
  const framer = new wire.ImapFramer({ streamThresholdBytes: this?.stream ? STREAM_THRESHOLD : undefined });
  const out = { responses: 0, tagged: 0, literals: 0, literalBytes: 0 };
  for (const chunk of chunks) {
    for (const ev of framer.push(chunk)) {
      if (ev.kind === 'message') {
        const f = ev.frame;
        if (f.bytes[0] === 0x2a) out.responses++;
        else out.tagged++;
        for (const l of f.literals) if (l.size >= 1000) { out.literals++; out.literalBytes += l.size; }
      }
    }
  }
  return out;
}

/** Reads every token of a message with ImapReader: the grammar-free walk a tokenizer does. */
function walk(r, counts) {
  if (r.peek() === 0x2a) r.pos++;
  else r.tag();
  while (!r.atEnd()) {
    if (r.sp()) continue;
    const c = r.peek();
    if (c === 0x28) { r.listBegin(); continue; }
    if (c === 0x29) { r.listEnd(); continue; }
    if (c === 0x22 || c === 0x7b || c === 0x7e) { r.string(); counts.tokens++; continue; }
    if (c >= 0x30 && c <= 0x39) { if (r.number() !== undefined) { counts.tokens++; continue; } }
    if (r.nil()) { counts.tokens++; continue; }
    if (r.flag() !== undefined) {
      counts.tokens++;
      if (r.peek() === 0x5d) r.pos++; // the "]" of a section, e.g. BODY[]
      continue;
    }
    r.text(); // free text after a status
  }
}

async function tokenRun(chunks) {
  const framer = new wire.ImapFramer();
  const out = { responses: 0, tagged: 0, tokens: 0 };
  for (const chunk of chunks) {
    for (const ev of framer.push(chunk)) {
      if (ev.kind !== 'message') continue;
      const f = ev.frame;
      if (f.bytes[0] === 0x2a) out.responses++;
      else out.tagged++;
      walk(new wire.ImapReader(f), out);
    }
  }
  return out;
}

export const mailwireFramer = {
  id: 'mailwire-framer',
  label: 'mailwire ImapFramer (wire)',
  kind: 'mailwire',
  what: '@mailwire/wire ImapFramer: whole messages as views (lines + literal spans), no tokens',
  async setup() { wire = await loadWire(); },
  fetch: framerRun,
};

export const mailwireTokens = {
  id: 'mailwire-tokens',
  label: 'mailwire ImapFramer + ImapReader tokens',
  kind: 'mailwire',
  what: '@mailwire/wire ImapFramer, then ImapReader reads every token of every message (strings decoded, numbers parsed, lists counted); no typed values',
  async setup() { wire = await loadWire(); },
  fetch: tokenRun,
};

// --- the decoder: typed FetchResults ------------------------------------------------------

let Decoder;
function decoderRun(streamThresholdBytes) {
  return function run(chunks, probe) {
    // Held mode raises the in-memory limits (64 MiB by default) so the one-big-message stream
    // shows what holding costs instead of stopping at the limit.
    const decoder = new Decoder(streamThresholdBytes ? { streamThresholdBytes } : this?.held ? HELD_LIMITS : {});
    const out = { responses: 0, tagged: 0, literals: 0, literalBytes: 0, chunkBytes: 0, streamedBytes: 0, samples: {}, bodies: [], touched: 0 };
    for (const chunk of chunks) {
      const responses = decoder.push(chunk);
      for (let i = 0; i < responses.length; i++) {
        const r = responses[i];
        if (r.kind === 'fetch') {
          out.responses++;
          const f = r.fetch;
          // Touch a field of each typed value, so a decoder that went lazy would still pay here.
          out.touched += (f.envelope ? 1 : 0) + (f.bodyStructure ? f.bodyStructure.type.length : 0) + (f.flags ? f.flags.length : 0);
          const held = f.body && f.body['BODY[]'];
          const streamed = f.streamed && f.streamed['BODY[]'];
          if (held || streamed !== undefined) {
            out.literals++;
            out.literalBytes += held ? held.length : streamed;
            if (!held) out.streamedBytes += streamed;
            if (probe) out.bodies.push([f.uid, held ? held.length : streamed]);
          }
          if (probe && probe.has(f.seq)) {
            out.samples[f.seq] = {
              uid: f.uid, size: f.size, subject: f.envelope?.subject, messageId: f.envelope?.messageId,
              inReplyTo: f.envelope?.inReplyTo, date: f.envelope?.date, internalDate: f.internalDate,
              flagCount: f.flags?.length, leaves: f.bodyStructure ? leafCount(f.bodyStructure) : undefined,
            };
          }
        } else if (r.kind === 'literal-chunk') {
          out.chunkBytes += r.bytes.length;
        } else if (r.kind === 'status' && r.tag) {
          out.tagged++;
        }
      }
    }
    return out;
  };
}

/** The mailbox stream: LIST entries and STATUS results, typed. */
function mailboxRun(chunks, probe) {
  const decoder = new Decoder({});
  const out = { responses: 0, tagged: 0, samples: {}, touched: 0 };
  const sample = (name) => { if (!probe) return null; const n = Number(name.slice(name.lastIndexOf('/') + 1)); return probe.has(n) ? (out.samples[n] ??= {}) : null; };
  for (const chunk of chunks) {
    const responses = decoder.push(chunk);
    for (let i = 0; i < responses.length; i++) {
      const r = responses[i];
      if (r.kind === 'list') {
        out.responses++;
        out.touched += r.entry.name.length + r.entry.attributes.length;
        const s = sample(r.entry.name);
        if (s) s.attributes = r.entry.attributes.length;
      } else if (r.kind === 'mailbox-status') {
        out.responses++;
        out.touched += r.status.messages;
        const s = sample(r.mailbox);
        if (s) { s.messages = r.status.messages; s.unseen = r.status.unseen; }
      } else if (r.kind === 'status' && r.tag) out.tagged++;
    }
  }
  return out;
}

export const mailwireDecoder = {
  id: 'mailwire-decoder',
  label: 'mailwire ImapResponseDecoder',
  kind: 'mailwire',
  what: '@mailwire/imap ImapResponseDecoder.push(): typed FetchResults (uid, flags, internalDate, size, Envelope, BodyStructure tree; strings as sent)',
  async setup() { Decoder = await loadDecoder(); },
  fetch: decoderRun(0),
  mailbox: mailboxRun,
};

export const mailwireDecoderStream = {
  id: 'mailwire-decoder-stream',
  label: 'mailwire decoder, streaming (64 KiB)',
  kind: 'mailwire',
  what: `ImapResponseDecoder({ streamThresholdBytes: ${STREAM_THRESHOLD} }): literal-begin, literal-chunk views, then the FetchResult with the section in \`streamed\``,
  async setup() { Decoder = await loadDecoder(); },
  literal: decoderRun(STREAM_THRESHOLD),
};

export const mailwireDecoderHeld = {
  id: 'mailwire-decoder-held',
  label: 'mailwire decoder, held (no streaming)',
  kind: 'mailwire',
  what: 'ImapResponseDecoder({ maxLiteralBytes: 1 GiB, maxMessageBytes: 1 GiB }) without a threshold: each body held whole in FetchResult.body[\'BODY[]\']',
  async setup() { Decoder = await loadDecoder(); },
  literal: decoderRun(0).bind({ held: true }),
};

export const mailwireFramerStream = {
  id: 'mailwire-framer-stream',
  label: 'mailwire ImapFramer, streaming (64 KiB)',
  kind: 'mailwire',
  what: '@mailwire/wire ImapFramer({ streamThresholdBytes: 65536 }) alone: literal-begin / literal-chunk views, no decoding',
  async setup() { wire = await loadWire(); },
  literal: framerRun.bind({ stream: true }),
};
