/**
 * A Transcript is a recorded protocol exchange, byte-exact, in the human-readable format
 * that every fixture in fixtures/ uses (documented in fixtures/README.md):
 *
 *   # source: where the recording came from        header lines: `# key: value`
 *   # any other comment line                         (comments are kept nowhere)
 *   S: * OK IMAP4rev1 ready                          a server line; CRLF is appended
 *   C: a1 CAPABILITY                                 a client line; CRLF is appended
 *   S= "hello\r\n\x00world"                          exact bytes, no CRLF appended: a
 *   C= "..."                                         JSON string with \xHH escapes too
 *   S:                                               an empty line (CRLF only)
 *
 * Consecutive entries of one direction form one turn: a replaying peer sends a whole
 * turn, then waits for the other side's whole turn.
 */

export type Direction = 'C' | 'S';

export interface TranscriptEntry {
  dir: Direction;
  bytes: Uint8Array;
  /** 1-based line number in the source text, for messages. */
  line: number;
}

export interface Transcript {
  headers: Record<string, string>;
  entries: TranscriptEntry[];
}

export interface Turn {
  dir: Direction;
  bytes: Uint8Array;
}

const encoder = new TextEncoder();

function decodeExact(text: string, lineNo: number): Uint8Array {
  // \xHH is not JSON: turn it into \u00HH first, then let JSON.parse do the rest.
  const json = text.replace(/\\\\|\\x([0-9a-fA-F]{2})/g, (m, hex: string | undefined) =>
    hex === undefined ? m : `\\u00${hex}`,
  );
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new SyntaxError(`transcript line ${lineNo}: bad exact-bytes string ${text}`);
  }
  if (typeof value !== 'string') throw new SyntaxError(`transcript line ${lineNo}: exact bytes must be a string`);
  const out = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0xff) throw new SyntaxError(`transcript line ${lineNo}: exact bytes must be \\x00-\\xff`);
    out[i] = c;
  }
  return out;
}

/** Parses transcript text. Throws SyntaxError naming the line on anything malformed. */
export function parseTranscript(text: string): Transcript {
  const headers: Record<string, string> = {};
  const entries: TranscriptEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    if (raw === '') continue;
    if (raw.startsWith('#')) {
      const m = /^#\s*([A-Za-z][\w-]*):\s?(.*)$/.exec(raw);
      if (m && entries.length === 0) headers[m[1]!.toLowerCase()] = m[2]!;
      continue;
    }
    const dir = raw[0];
    const kind = raw[1];
    if ((dir !== 'C' && dir !== 'S') || (kind !== ':' && kind !== '=')) {
      throw new SyntaxError(`transcript line ${lineNo}: expected "C:", "S:", "C=" or "S=", got ${JSON.stringify(raw.slice(0, 20))}`);
    }
    const rest = raw.slice(2).replace(/^ /, '');
    const bytes = kind === ':' ? encoder.encode(`${rest}\r\n`) : decodeExact(rest, lineNo);
    entries.push({ dir, bytes, line: lineNo });
  }
  return { headers, entries };
}

/** Joins consecutive entries of one direction into turns. */
export function transcriptTurns(transcript: Transcript): Turn[] {
  const runs: { dir: Direction; parts: Uint8Array[] }[] = [];
  for (const entry of transcript.entries) {
    const last = runs[runs.length - 1];
    if (last && last.dir === entry.dir) last.parts.push(entry.bytes);
    else runs.push({ dir: entry.dir, parts: [entry.bytes] });
  }
  return runs.map(({ dir, parts }) => ({ dir, bytes: joinBytes(parts) }));
}

/** A fresh copy of all the parts, as a plain Uint8Array. */
function joinBytes(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** All bytes one side sent, in order. */
export function sideBytes(transcript: Transcript, dir: Direction): Uint8Array {
  return joinBytes(transcript.entries.filter((e) => e.dir === dir).map((e) => e.bytes));
}

/** Renders entries back to transcript text: printable lines as `X:`, anything else as `X=`. */
export function formatTranscript(transcript: Transcript): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(transcript.headers)) out.push(`# ${k}: ${v}`);
  for (const e of transcript.entries) {
    const text = String.fromCharCode(...e.bytes);
    const body = text.endsWith('\r\n') ? text.slice(0, -2) : null;
    // A line with trailing spaces goes in exact form: editors strip trailing whitespace.
    if (body === '') out.push(`${e.dir}:`);
    else if (body !== null && /^[\x20-\x7e]*$/.test(body) && !body.endsWith(' ')) out.push(`${e.dir}: ${body}`);
    else out.push(`${e.dir}= ${JSON.stringify(text).replace(/\\u00([0-9a-f]{2})/g, '\\x$1')}`);
  }
  return `${out.join('\n')}\n`;
}
