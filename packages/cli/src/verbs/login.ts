/** `mailwire login`: signs in and stores the account, through @mailwire/oauth's own command. */
import { LOGIN_USAGE, runLoginCommand } from '@mailwire/oauth';
import { EXIT, EXIT_CODES_TEXT } from '../exit-codes.js';
import type { CliIo } from '../io.js';

function lines(write: (line: string) => void): { write(text: string): boolean } {
  return { write: (text) => { write(text.replace(/\n$/, '')); return true; } };
}

export async function login(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.includes('--help')) {
    io.out(`${LOGIN_USAGE}Signs in (authorization code with PKCE on a 127.0.0.1 redirect; --device for the device code
flow; --app-only for client credentials) and stores the tokens under --account NAME, for
\`mailwire probe|list|fetch|send|idle --account NAME\`.
${EXIT_CODES_TEXT}`);
    return EXIT.ok;
  }
  return runLoginCommand([...argv], { stdout: lines(io.out), stderr: lines(io.err), env: { ...io.env } });
}
