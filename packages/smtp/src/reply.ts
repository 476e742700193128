/**
 * SMTP replies as the client sees them: the reply code, the RFC 3463 enhanced status code
 * where the server puts one at the start of its text (RFC 2034), and the text.
 *
 *   enhanced-status-code = class "." subject "." detail
 *   class = "2" / "4" / "5" ; subject = 1*3digit ; detail = 1*3digit
 *
 * The enhanced code is taken from the first line only, and only where its class agrees
 * with the reply code's first digit (RFC 3463 §2: they must). The text keeps every line,
 * joined by "\n", each without its own copy of the enhanced code.
 */
import type { SmtpReplyFrame } from '@mailwire/wire';

/** One SMTP reply (../shared/API.md). */
export interface SmtpReply {
  code: number;
  enhancedCode?: string;
  text: string;
}

const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/;

/** The reply a decoded frame stands for. */
export function replyOf(frame: SmtpReplyFrame): SmtpReply {
  const first = ENHANCED.exec(frame.lines[0] ?? '');
  const enhancedCode = first !== null && Number(first[1]) === Math.floor(frame.code / 100) ? `${first[1]}.${first[2]}.${first[3]}` : undefined;
  if (enhancedCode === undefined) return { code: frame.code, text: frame.lines.join('\n') };
  const strip = (line: string) => (line.startsWith(enhancedCode) ? line.slice(enhancedCode.length).replace(/^ /, '') : line);
  return { code: frame.code, enhancedCode, text: frame.lines.map(strip).join('\n') };
}

/** The reply as the server sent it, for error messages: `535 5.7.3 Authentication unsuccessful`. */
export function replyLine(reply: SmtpReply): string {
  return [String(reply.code), reply.enhancedCode, reply.text.replace(/\n/g, ' ')].filter((p) => p !== undefined && p !== '').join(' ');
}

/** 2xx. */
export function positive(reply: SmtpReply): boolean {
  return reply.code >= 200 && reply.code < 300;
}
