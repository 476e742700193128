/** `mailwire login ...`: packages/oauth's login command (sign in, store the tokens for --account). */
import { LOGIN_USAGE, runLoginCommand } from '@mailwire/oauth';

import { EXIT, EXIT_CODES_TEXT, type CliIo, type Verb } from '../io.js';

const USAGE = `${LOGIN_USAGE}
Signs in (authorization code with PKCE on a loopback redirect, or --device for the device
code flow, or --app-only for client credentials) and stores the tokens in the token cache
under --account NAME, for \`mailwire probe|list|fetch|send --account NAME\`.

${EXIT_CODES_TEXT}`;

export const loginVerb: Verb = {
  name: 'login',
  summary: 'sign in with OAuth 2.0 and store the tokens for --account',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout.write(USAGE);
      return EXIT.ok;
    }
    return runLoginCommand(argv, io);
  },
};
