/** `mailwire VERB ...`: dispatch to one file per verb. */
import { EXIT, EXIT_CODES_TEXT } from './exit-codes.js';
import type { CliIo } from './io.js';
import type { FetchIo } from './verbs/fetch.js';
import type { SendIo } from './verbs/send.js';
import { demo } from './verbs/demo.js';
import { fetch } from './verbs/fetch.js';
import { idle } from './verbs/idle.js';
import type { IdleIo } from './verbs/idle.js';
import { list } from './verbs/list.js';
import { login } from './verbs/login.js';
import { send } from './verbs/send.js';
import { probe } from './verbs/probe.js';
import { check } from './verbs/check.js';

export const USAGE = `Usage: mailwire VERB [options]   (mailwire VERB --help for each verb)
Verbs:
  probe URL   connect, show capabilities and SASL mechanisms, authenticate with a token
  check URL   RFC checks on a server: pass / fail / not offered, with the RFC section
  list URL    the IMAP mailboxes, or the POP3 maildrop
  fetch URL   headers or whole messages (IMAP or POP3), to stdout or files
  send URL    one message (file or stdin) by SMTP submission
  idle URL    prints new mail as it arrives
  login       sign in (Microsoft 365, Google, ...) and store the account for --account
  demo        run the end-to-end demo against the local test servers
${EXIT_CODES_TEXT}`;

export async function run(argv: readonly string[], io: CliIo & FetchIo & SendIo & IdleIo): Promise<number> {
  const [verb, ...rest] = argv;
  switch (verb) {
    case 'probe':
      return probe(rest, io);
    case 'check':
      return check(rest, io);
    case 'list':
      return list(rest, io);
    case 'fetch':
      return fetch(rest, io);
    case 'send':
      return send(rest, io);
    case 'idle':
      return idle(rest, io);
    case 'login':
      return login(rest, io);
    case 'demo':
      return demo(rest, io);
    case '--help':
    case 'help':
      io.out(USAGE);
      return EXIT.ok;
    default:
      io.err(verb === undefined ? USAGE : `mailwire: unknown verb ${verb}\n${USAGE}`);
      return EXIT.usage;
  }
}
