import type { CliIo } from './io.js';

/** An io that records what a verb wrote, for tests that run verbs as functions. */
export function recordingIo(env: Record<string, string | undefined> = {}, stdin?: string): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env,
    ...(stdin !== undefined ? { stdin: [Buffer.from(stdin)] } : {}),
    out: () => out,
    err: () => err,
  };
}
