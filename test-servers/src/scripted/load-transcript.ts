/**
 * Loads a transcript given as a parsed Transcript, as transcript text, or as a file path,
 * and names its protocol (a `# protocol:` header, else the server's first line).
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseTranscript, type Transcript } from '@mailwire/transcript';

export type Protocol = 'imap' | 'pop3' | 'smtp';

/** A Transcript from any of the three forms. Text has a newline or starts with `#`, `S`, `C`. */
export function loadTranscript(source: Transcript | string): Transcript {
  if (typeof source !== 'string') return source;
  const looksLikeText = /[\r\n]/.test(source) || /^(#|[SC][:=])/.test(source);
  if (!looksLikeText && existsSync(source)) return parseTranscript(readFileSync(source, 'latin1'));
  return parseTranscript(source);
}

/** The transcript's protocol: the `protocol` header, else guessed from the first server line. */
export function transcriptProtocol(t: Transcript): Protocol {
  const h = t.headers['protocol']?.toLowerCase();
  if (h === 'imap' || h === 'pop3' || h === 'smtp') return h;
  const first = t.entries.find((e) => e.dir === 'S');
  const text = first ? Buffer.from(first.bytes).toString('latin1') : '';
  if (text.startsWith('+OK') || text.startsWith('-ERR')) return 'pop3';
  if (/^\d{3}[ -]/.test(text)) return 'smtp';
  return 'imap';
}

/** True for a command line that asks for a TLS upgrade: STARTTLS (IMAP, SMTP) or STLS (POP3). */
export function isStartTlsCommand(line: string, protocol: Protocol): boolean {
  const text = line.replace(/\r?\n$/, '').trim();
  if (protocol === 'imap') return /^\S+ STARTTLS$/i.test(text);
  return /^(STARTTLS|STLS)$/i.test(text);
}

/** True for the server's positive answer to a STARTTLS/STLS command. */
export function isStartTlsGoAhead(line: string, protocol: Protocol): boolean {
  if (protocol === 'imap') return /^[^*+ ]\S* OK\b/i.test(line);
  if (protocol === 'pop3') return line.startsWith('+OK');
  return line.startsWith('220');
}
