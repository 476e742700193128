import type { ClientOptions } from '@mailwire/net';

/** SmtpClient options: the common ClientOptions, the EHLO name, and limits. */
export interface SmtpClientOptions extends ClientOptions {
  /** The name sent with EHLO/HELO. Default: `[127.0.0.1]`-style address literal of the local end, or `localhost`. */
  name?: string;
  /** Batch MAIL, RCPT and DATA in one write where the server offers PIPELINING (RFC 2920). Default true. */
  pipelining?: boolean;
  /** Send the message with BDAT where the server offers CHUNKING (RFC 3030). Default true. */
  chunking?: boolean;
  /** BDAT chunk size for a streamed message, in bytes. Default 256 KiB. */
  bdatChunkBytes?: number;
  /** The longest reply line and the most lines per reply (hostile servers). Defaults 8192 and 1000. */
  limits?: { maxLineBytes?: number; maxReplyLines?: number };
}

/** DSN requests (RFC 3461), sent only where the server offers DSN. */
export interface DsnOptions {
  ret?: 'FULL' | 'HDRS';
  envid?: string;
  notify?: ('SUCCESS' | 'FAILURE' | 'DELAY')[] | 'NEVER';
  /** Send ORCPT=rfc822;<recipient> with each RCPT. */
  orcpt?: boolean;
}

/** The envelope of one message. */
export interface Envelope {
  from: string;
  to: string[];
  /** The message size for SIZE= (RFC 1870) when the message is a stream; measured otherwise. */
  size?: number;
  /** BODY=8BITMIME for a stream (measured for bytes and strings). */
  eightBit?: boolean;
  dsn?: DsnOptions;
}
