// imapflow 2.x: the same path its client takes for every server response.
//   ImapStream (lib/handler/imap-stream.js): a Transform that cuts the socket bytes into
//     { payload, literals } items and waits for each item's `next()` before going on;
//   parser (lib/handler/imap-parser.js): payload + literals -> { tag, command, attributes }
//     tree of { type, value } nodes;
//   formatMessageResponse (lib/tools.js), in the `+format` contender only: the attribute tree
//     of a FETCH -> the message object imapflow's fetch() yields (uid, flags Set, size,
//     envelope via parseEnvelope, which also decodes RFC 2047 words, bodyStructure via
//     parseBodystructure, source Buffer for BODY[]).
import { ImapStream } from 'imapflow/lib/handler/imap-stream.js';
import { parser } from 'imapflow/lib/handler/imap-handler.js';
import { formatMessageResponse } from 'imapflow/lib/tools.js';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };

function countLeaves(bs) {
  if (!bs) return 0;
  if (Array.isArray(bs.childNodes) && bs.childNodes.length && /^multipart\//.test(bs.type)) {
    return bs.childNodes.reduce((n, c) => n + countLeaves(c), 0);
  }
  return 1;
}

function attr(parsed, name) {
  const list = parsed.attributes && parsed.attributes[1];
  if (!Array.isArray(list)) return undefined;
  for (let i = 0; i < list.length; i += 2) if (list[i] && String(list[i].value).toUpperCase() === name) return list[i + 1];
  return undefined;
}

function make(format) {
  return async function run(chunks, probe) {
    const self = this;
    const stream = new ImapStream({ logger: quiet });
    const mailbox = { path: 'INBOX', uidValidity: 1n };
    const out = { responses: 0, tagged: 0, literals: 0, literalBytes: 0, samples: {} };
    let failed = null;
    const done = new Promise((resolve, reject) => {
      stream.on('error', reject);
      const reader = async () => {
        let data;
        while ((data = stream.read()) !== null) {
          try {
            const parsed = await parser(data.payload, { literals: data.literals });
            if (self?.mailboxStream) {
              if (parsed.tag !== '*') { out.tagged++; resolve(); } else if (parsed.command === 'LIST' || parsed.command === 'STATUS') out.responses++;
            } else if (parsed.tag === '*' && String(parsed.command).length && parsed.attributes && parsed.attributes[0] &&
                parsed.attributes[0].value === 'FETCH') {
              out.responses++;
              const seq = Number(parsed.command);
              if (format) {
                const msg = await formatMessageResponse(parsed, mailbox);
                if (msg.source) { out.literals++; out.literalBytes += msg.source.length; }
                if (probe && probe.has(seq)) {
                  out.samples[seq] = { uid: msg.uid, size: msg.size, leaves: msg.bodyStructure ? countLeaves(msg.bodyStructure) : undefined };
                }
              } else {
                for (const l of data.literals) { if (l.length > 1000) { out.literals++; out.literalBytes += l.length; } }
                if (probe && probe.has(seq)) {
                  out.samples[seq] = { uid: Number(attr(parsed, 'UID')?.value), size: Number(attr(parsed, 'RFC822.SIZE')?.value) };
                }
              }
            } else if (parsed.tag !== '*') {
              out.tagged++;
              resolve();
            }
          } catch (err) {
            failed = err;
            resolve();
          } finally {
            data.next();
          }
        }
      };
      stream.on('readable', () => { reader().catch(reject); });
    });
    for (const chunk of chunks) {
      if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r));
      if (failed) break;
    }
    stream.end();
    await done;
    if (failed) throw failed;
    if (self?.mailboxStream) delete out.samples; // counts only: no mailbox-to-object mapping to check
    return out;
  };
}

export const imapflowParser = {
  id: 'imapflow-parser',
  label: 'imapflow 2.10.2 ImapStream + parser',
  kind: 'peer',
  what: 'ImapStream framing + imap-parser into { type, value } attribute trees; no FETCH-to-object mapping',
  fetch: make(false),
  mailbox: make(false).bind({ mailboxStream: true }),
};

export const imapflowFormat = {
  id: 'imapflow-format',
  label: 'imapflow 2.10.2 + formatMessageResponse',
  kind: 'peer',
  what: 'as imapflow parser, then tools.formatMessageResponse: FETCH -> message object (envelope with RFC 2047 decoded, bodyStructure tree, source Buffer)',
  fetch: make(true),
  literal: make(true),
};
