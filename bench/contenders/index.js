// Every contender, in table order. Each has `id`, `label`, `kind` ('mailwire' | 'peer' |
// 'baseline'), `what` (exactly what it does, for the report), optional `setup()`, and a
// `fetch(chunks, probe)` and/or `literal(chunks, probe)` run that resolves to counts:
// { responses, tagged, literals?, literalBytes?, samples? }.
import baseline from './baseline.js';
import {
  mailwireDecoder, mailwireDecoderHeld, mailwireDecoderStream, mailwireFramer, mailwireFramerStream, mailwireTokens,
} from './mailwire.js';
import { imapflowFormat, imapflowParser } from './imapflow.js';
import nodeImap from './node-imap.js';
import emailjs from './emailjs.js';

export const contenders = [
  mailwireDecoder, mailwireDecoderStream, mailwireDecoderHeld, mailwireTokens, mailwireFramer, mailwireFramerStream,
  imapflowParser, imapflowFormat, nodeImap, emailjs, baseline,
];

export function contender(id) {
  const c = contenders.find((x) => x.id === id);
  if (!c) throw new Error(`no contender ${id}`);
  return c;
}
