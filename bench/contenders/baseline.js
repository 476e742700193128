// Baseline: Buffer.indexOf CRLF scan with literal skipping (bench/lib/scan-framer.js).
import { ScanFramer } from '../lib/scan-framer.js';

async function run(chunks) {
  const f = new ScanFramer();
  for (const chunk of chunks) f.push(chunk);
  return { responses: f.untagged, tagged: f.tagged, literals: f.literals, literalBytes: f.literalBytes };
}

export default {
  id: 'baseline',
  label: 'indexOf CRLF scan (baseline)',
  kind: 'baseline',
  what: 'Buffer.indexOf(LF) per line, reads the {n} at a line end and skips n literal bytes; builds no tokens or values',
  fetch: run,
  literal: run,
  mailbox: run,
};
