/**
 * MAILWIRE_RECORD=1 npm run test:interop writes the sessions a test marks for recording
 * into fixtures/dovecot/ (format: @mailwire/transcript, fixtures/README.md). The client's
 * transcript is already redacted ([redacted] where a SASL response or password went); the
 * recorder puts back the SASL response the replay client will send with the seed's fake
 * token, so the file replays against the client while holding no real secret.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeXOAuth2 } from '@mailwire/sasl';
import { SEED_FAKE_TOKEN } from '@mailwire/test-servers';

export const RECORDING = process.env.MAILWIRE_RECORD === '1';
export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/dovecot/', import.meta.url));

export interface Line { dir: string; line: string }

export function saveRecording(name: string, meta: { protocol: string; connection: string; user: string; mechanism: string; note: string }, log: Line[]): void {
  if (!RECORDING) return;
  const response = meta.mechanism === 'XOAUTH2'
    ? encodeXOAuth2(meta.user, SEED_FAKE_TOKEN)
    : Buffer.from(`n,a=${meta.user},\x01auth=Bearer ${SEED_FAKE_TOKEN}\x01\x01`).toString('base64');
  const lines = [
    `# source: Dovecot 2.3.19.1 (Debian 12) in the interop lab, recorded by interop/record.ts`,
    `# protocol: ${meta.protocol}`,
    `# connection: ${meta.connection}`,
    `# redacted: the access token replaced by the seed's fake token (SEED_FAKE_TOKEN)`,
    `# user: ${meta.user}`,
    `# mechanism: ${meta.mechanism}`,
    `# ${meta.note}`,
  ];
  for (const e of log) {
    let text = e.line.replace(/\[redacted\]/, response);
    if (text.startsWith('\\x') || /\s$/.test(text)) throw new Error(`record: line not printable: ${JSON.stringify(text)}`);
    lines.push(`${e.dir}: ${text}`.replace(/ $/, ''));
  }
  mkdirSync(FIXTURE_DIR, { recursive: true });
  writeFileSync(`${FIXTURE_DIR}${name}`, `${lines.join('\n')}\n`);
}
