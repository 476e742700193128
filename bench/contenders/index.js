// Every contender, in table order: which module holds it and under which export. A child
// process imports only its own contender's module, so a peer's library (imapflow pulls in
// pino, iconv-lite, libmime, ...) never weighs on another contender's peak RSS.
//
// A contender has `id`, `label`, `kind` ('mailwire' | 'peer' | 'baseline'), `what` (exactly
// what it does, for the report), optional `setup()`, and a `fetch(chunks, probe)` and/or
// `literal(chunks, probe)` run that resolves to counts:
// { responses, tagged, literals?, literalBytes?, samples? }.

export const registry = [
  ['mailwire-decoder', './mailwire.js', 'mailwireDecoder'],
  ['mailwire-decoder-stream', './mailwire.js', 'mailwireDecoderStream'],
  ['mailwire-decoder-held', './mailwire.js', 'mailwireDecoderHeld'],
  ['mailwire-tokens', './mailwire.js', 'mailwireTokens'],
  ['mailwire-framer', './mailwire.js', 'mailwireFramer'],
  ['mailwire-framer-stream', './mailwire.js', 'mailwireFramerStream'],
  ['imapflow-parser', './imapflow.js', 'imapflowParser'],
  ['imapflow-format', './imapflow.js', 'imapflowFormat'],
  ['node-imap', './node-imap.js', 'default'],
  ['emailjs', './emailjs.js', 'default'],
  ['baseline', './baseline.js', 'default'],
];

export async function load(id) {
  const entry = registry.find((x) => x[0] === id);
  if (!entry) throw new Error(`no contender ${id}`);
  const m = await import(entry[1]);
  return m[entry[2]];
}

export async function loadAll() {
  const out = [];
  for (const [id] of registry) out.push(await load(id));
  return out;
}
