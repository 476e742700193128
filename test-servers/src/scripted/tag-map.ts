/**
 * A TagMap pairs the tags an IMAP transcript was recorded with and the tags a live client
 * uses (RFC 9051 §2.2.1: the client chooses them), so one transcript replays against any
 * client's tag scheme. A tag is learned from the first token of each command line; the
 * server's lines are rewritten with the client's tags.
 */

const TAG = /^[\x21-\x7e]+$/;

/** Splits a line at its first space: [first token, rest including the space]. */
function splitFirst(line: string): [string, string] {
  const sp = line.indexOf(' ');
  return sp < 0 ? [line.replace(/\r?\n$/, ''), line.slice(line.replace(/\r?\n$/, '').length)] : [line.slice(0, sp), line.slice(sp)];
}

export class TagMap {
  readonly #toLive = new Map<string, string>();
  readonly #toScript = new Map<string, string>();

  /**
   * Compares a live command line with the transcript's, mapping the first tokens. True when
   * they match: the rest byte for byte, and the tags consistently with earlier commands.
   */
  matchCommand(expected: string, actual: string): boolean {
    const [et, erest] = splitFirst(expected);
    const [at, arest] = splitFirst(actual);
    if (erest !== arest) return false;
    if (et === '*' || et === '+' || !TAG.test(et) || !TAG.test(at) || at === '*' || at === '+') return et === at;
    const known = this.#toLive.get(et);
    if (known !== undefined) return known === at;
    if (this.#toScript.has(at)) return false;
    this.#toLive.set(et, at);
    this.#toScript.set(at, et);
    return true;
  }

  /** A server line with a transcript tag at its start rewritten to the live client's tag. */
  mapServerLine(line: string): string {
    const [tag, rest] = splitFirst(line);
    const live = this.#toLive.get(tag);
    return live === undefined ? line : live + rest;
  }
}
