/** `mailwire login`: signs in and stores the account, through @mailwire/oauth's own command. */
import { LOGIN_USAGE, runLoginCommand } from '@mailwire/oauth';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';

function lines(write: (line: string) => void): { write(text: string): boolean } {
  return { write: (text) => { write(text.replace(/\n$/, '')); return true; } };
}

export async function login(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.includes('--help')) {
    io.out(LOGIN_USAGE.replace(/\n$/, ''));
    return EXIT.ok;
  }
  return runLoginCommand([...argv], { stdout: lines(io.out), stderr: lines(io.err), env: { ...io.env } });
}
