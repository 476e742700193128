/**
 * MAILWIRE_RECORD=1 npm run test:interop writes the sessions a test marks for recording
 * into fixtures/dovecot/, in the @mailwire/transcript format (fixtures/README.md), rendered
 * by `formatTranscript`. The client's transcript is already redacted: a SASL response is
 * `[redacted]`. The recorder puts back the bytes the replaying client will send with the
 * seed's fake token (SEED_FAKE_TOKEN) — the initial or first response, then the empty
 * answer to an error challenge (`` for XOAUTH2, `AQ==` for OAUTHBEARER) — so the file
 * replays byte-exact against the client while holding no real secret.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeXOAuth2 } from '@mailwire/sasl';
import { SEED_FAKE_TOKEN } from '@mailwire/test-servers';
import { formatTranscript, type TranscriptEntry } from '@mailwire/transcript';

export const RECORDING = process.env.MAILWIRE_RECORD === '1';
export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/dovecot/', import.meta.url));

export interface Line { dir: string; line: string }
export interface RecordingMeta {
  protocol: 'imap' | 'pop3' | 'smtp';
  connection: string;
  user: string;
  mechanism: 'XOAUTH2' | 'PLAIN' | 'LOGIN';
  note: string;
  /** For a password mechanism: what the replay client sends in place of each `[redacted]`, in order. */
  responses?: string[];
  /** The `# redacted:` header for a password session. */
  redacted?: string;
}

const REDACTED = '[redacted]';

/** The client's rendered line back to bytes: `\xHH` is how the recorder shows a control byte. */
function lineBytes(line: string): Uint8Array {
  if (/\.\.\. \[\d+ more bytes\]$/.test(line)) throw new Error(`record: a line was cut by the client's transcript: ${line.slice(0, 60)}`);
  const text = line.replace(/\\x([0-9a-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Uint8Array.from(`${text}\r\n`, (c) => c.charCodeAt(0));
}

/** The log as transcript entries, with every `[redacted]` replaced by what the replay client sends. */
export function toEntries(meta: RecordingMeta, log: Line[]): TranscriptEntry[] {
  const responses = meta.responses ?? [encodeXOAuth2(meta.user, SEED_FAKE_TOKEN), ''];
  let n = 0;
  return log.map((e, i) => {
    let line = e.line;
    if (e.dir === 'C' && line.includes(REDACTED)) {
      const r = responses[Math.min(n++, responses.length - 1)]!;
      line = line === REDACTED ? r : line.replace(REDACTED, r);
    }
    return { dir: e.dir as 'C' | 'S', bytes: lineBytes(line), line: i + 1 };
  });
}

export function saveRecording(name: string, meta: RecordingMeta, log: Line[]): void {
  if (!RECORDING) return;
  const text = formatTranscript({
    headers: {
      source: 'Dovecot 2.3.19.1 (Debian 12) in the interop lab, recorded by interop/record.ts (MAILWIRE_RECORD=1 npm run test:interop)',
      protocol: meta.protocol,
      connection: meta.connection,
      redacted: meta.redacted ?? "the access token replaced by the seed's fake token (SEED_FAKE_TOKEN)",
      user: meta.user,
      mechanism: meta.mechanism,
      session: meta.note,
    },
    entries: toEntries(meta, log),
  });
  mkdirSync(FIXTURE_DIR, { recursive: true });
  writeFileSync(`${FIXTURE_DIR}${name}`, text);
}

/** The password a recorded PLAIN/LOGIN session holds in place of the real one. */
export const FAKE_PASSWORD = 'fake-password';
export const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
