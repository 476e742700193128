// emailjs-imap-handler 3.0.6: the parser emailjs-imap-client uses. It parses one whole
// response at a time (literals inline), so it is framed here by the baseline's scan
// (bench/lib/scan-framer.js), as emailjs-imap-client frames its input before calling it.
// Output: { tag, command, attributes } trees of { type, value } nodes, strings decoded
// (valueAsString, its default) for the FETCH stream; literal values as Uint8Array views
// (valueAsString: false) for the literal stream. No FETCH-to-object mapping.
import { createRequire } from 'node:module';
import { ScanFramer } from '../lib/scan-framer.js';

const require = createRequire(import.meta.url);
const { parser } = require('emailjs-imap-handler');

function make(valueAsString, mailbox = false) {
  return async function run(chunks, probe) {
    const out = { responses: 0, tagged: 0, literals: 0, literalBytes: 0, samples: {} };
    const collect = (buf) => {
      const parsed = parser(buf.subarray(0, buf.length - 2), { valueAsString });
      if (parsed.tag !== '*') { out.tagged++; return; }
      if (mailbox) { if (parsed.command === 'LIST' || parsed.command === 'STATUS') out.responses++; return; }
      // "* 12 FETCH (...)" comes out as command '12', attributes [FETCH atom, [items]]
      const list = parsed.attributes || [];
      if (!list[0] || String(list[0].value).toUpperCase() !== 'FETCH') return;
      out.responses++;
      const items = Array.isArray(list[1]) ? list[1] : [];
      const seq = Number(parsed.command);
      for (let i = 0; i < items.length; i += 2) {
        const v = items[i + 1];
        if (v && v.type === 'LITERAL' && typeof v.value !== 'string') { out.literals++; out.literalBytes += v.value.length; }
      }
      if (probe && probe.has(seq)) {
        const get = (n) => { for (let i = 0; i < items.length; i += 2) if (String(items[i].value).toUpperCase() === n) return items[i + 1]; };
        out.samples[seq] = { uid: Number(get('UID')?.value), size: Number(get('RFC822.SIZE')?.value) };
      }
    };
    const f = new ScanFramer({ collect });
    for (const chunk of chunks) f.push(chunk);
    if (mailbox) delete out.samples; // counts only: no mailbox-to-object mapping to check
    return out;
  };
}

export default {
  id: 'emailjs',
  label: 'emailjs-imap-handler 3.0.6 parser',
  kind: 'peer',
  what: 'parser() on each whole response (framed by the baseline scan, literals inline) into { type, value } trees; no FETCH-to-object mapping',
  fetch: make(true),
  literal: make(false),
  mailbox: make(true, true),
};
