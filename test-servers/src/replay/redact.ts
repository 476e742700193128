/**
 * Redaction of recorded transcripts: every secret (an access token or a password) in the
 * client's lines — in plain text, or inside a base64 SASL response or initial response —
 * is replaced by a stand-in, by default the seed document's fake token, and base64 is
 * re-encoded so the transcript stays replayable. A `# redacted:` header says so.
 */
import type { Transcript } from '@mailwire/transcript';

/** The fake token of Microsoft's OAuth document, the stand-in for any real one. */
export const SEED_FAKE_TOKEN = 'EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA';

const B64 = /^[A-Za-z0-9+/]{8,}={0,2}$/;

function replaceAll(text: string, secrets: string[], by: string): string {
  let out = text;
  for (const s of secrets) if (s !== '') out = out.split(s).join(by);
  return out;
}

/** Replaces secrets in the client's entries; returns a new transcript with a `redacted` header. */
export function redactTranscript(t: Transcript, secrets: string[], replacement = SEED_FAKE_TOKEN): Transcript {
  // The lines are bytes read as latin1, so a secret is looked for as its UTF-8 bytes read the same way.
  const wanted = secrets.map((s) => Buffer.from(s, 'utf8').toString('latin1'));
  const by = Buffer.from(replacement, 'utf8').toString('latin1');
  const entries = t.entries.map((e) => {
    if (e.dir !== 'C') return e;
    const text = Buffer.from(e.bytes).toString('latin1');
    const words = text.replace(/\r\n$/, '').split(' ').map((w) => {
      if (!B64.test(w)) return replaceAll(w, wanted, by);
      const decoded = Buffer.from(w, 'base64').toString('latin1');
      if (Buffer.from(decoded, 'latin1').toString('base64') !== w) return w;
      const redacted = replaceAll(decoded, wanted, by);
      return redacted === decoded ? w : Buffer.from(redacted, 'latin1').toString('base64');
    });
    const joined = words.join(' ') + (text.endsWith('\r\n') ? '\r\n' : '');
    return { ...e, bytes: Buffer.from(joined, 'latin1') };
  });
  return { headers: { ...t.headers, redacted: `secrets replaced by ${replacement === SEED_FAKE_TOKEN ? "the seed's fake token" : JSON.stringify(replacement)}` }, entries };
}
