/**
 * ImapClientOptions: the common ClientOptions (../shared/API.md) plus what only IMAP has.
 */
import type { ClientOptions } from '@mailwire/net';

import type { ImapClientQuirks, ImapQuirks } from '../quirks.js';
import type { MailboxUpdate } from '../types.js';

export interface ImapClientOptions extends ClientOptions {
  /**
   * Reconnection. `onTokenExpired`: when the server ends the session because the OAuth
   * token expired (Exchange's `* BYE Session invalidated - AccessTokenExpired`) and
   * auth.accessToken is a provider, the next call connects again with a fresh token and
   * re-selects the mailbox. The command the BYE interrupted still fails (ETOKENEXPIRED):
   * it may or may not have run. Default: off.
   */
  reconnect?: { onTokenExpired?: boolean };
  /** IDLE is ended and started again after this long (RFC 2177: servers drop it at 30 min). Default 28 minutes. */
  idleRestartMs?: number;
  /** Decoder limits. */
  limits?: {
    maxLineBytes?: number;
    /** The most body bytes fetch() and fetchBody() hold in memory; past it EPROTOCOL, connection closed. Default 64 MiB. */
    maxLiteralBytes?: number;
    maxDepth?: number;
    /** Literals at least this large are streamed in chunks (fetchBodyStream). Default 64 KiB. */
    streamThresholdBytes?: number;
    /**
     * The most untagged responses held for one command answered as a whole (search, list,
     * store, ...; each SEARCH number counts as one). Past it: EPROTOCOL, connection closed.
     * fetch() streams and is not limited by it. Default 1,000,000.
     */
    maxResponsesPerCommand?: number;
  };
  /** Mailbox changes no command asked about (EXISTS, EXPUNGE, FETCH flags, ...), whenever they arrive. */
  onUpdate?: (update: MailboxUpdate) => void;
  /** The text of every [ALERT] the server sends (RFC 9051 §7.1: it must be shown to the user). */
  onAlert?: (text: string) => void;
  /** Server behaviours to cope with (quirks.ts); all on by default. */
  quirks?: Partial<ImapClientQuirks>;
  /**
   * Grammar breaks of real servers the decoder reads as meant (quirks.ts ImapQuirks); all on
   * by default. Set one false to hold the server to RFC 9051 there (EPROTOCOL instead), or
   * pass STRICT_QUIRKS for none.
   */
  parseQuirks?: Partial<ImapQuirks>;
  /** Tag prefix (tags are prefix + counter). Default 'A'. */
  tagPrefix?: string;
}

export const DEFAULT_IDLE_RESTART_MS = 28 * 60 * 1000;
export const DEFAULT_STREAM_THRESHOLD = 64 * 1024;
/** The decoder's own default for literals held in memory. */
export const DEFAULT_MAX_HELD_BYTES = 64 * 1024 * 1024;
