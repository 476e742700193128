/** What a verb talks to: injected so that tests run verbs as functions. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  /** Standard input, for `send` without a file. Default process.stdin. */
  stdin?: AsyncIterable<Uint8Array | string>;
}

/** The exit codes, as the usage text documents them. */
export const EXIT = {
  ok: 0,
  /** A check or probe found a failure (or the demo saw a step misbehave). */
  failure: 1,
  usage: 2,
  /** Cannot connect, TLS or STARTTLS failed, timeout, a protocol error. */
  connection: 3,
  authentication: 4,
} as const;

export const EXIT_CODES_TEXT = `exit codes:
  0  ok
  1  a check or probe found a failure
  2  usage error
  3  connection, TLS or protocol failure
  4  authentication failed
`;

export interface Verb {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
}
