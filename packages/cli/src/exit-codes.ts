/** The exit codes of `mailwire`, documented in the usage text and the README. */
export const EXIT = {
  ok: 0,
  /** a probe or check found failures */
  failed: 1,
  /** bad command line */
  usage: 2,
  /** connection or TLS failure */
  connection: 3,
  /** authentication refused */
  auth: 4,
  /** the server broke the protocol or refused a command */
  protocol: 5,
} as const;

export const EXIT_CODES_TEXT = `Exit codes: 0 ok, 1 check/probe found failures, 2 usage, 3 connection/TLS, 4 authentication, 5 protocol/command refused.`;
