/**
 * The shape of an IMAP command handler: the states it is valid in and what it does.
 */
import type { ImapSession, ImapState } from './session.js';
import type { Token } from './tokenizer.js';

export interface Handler {
  states: ImapState[];
  run(session: ImapSession, tag: string, args: Token[], name: string): Promise<void>;
}

export const ANY: ImapState[] = ['not-authenticated', 'authenticated', 'selected'];
export const AUTHED: ImapState[] = ['authenticated', 'selected'];
export const SELECTED: ImapState[] = ['selected'];
export const NOT_AUTHED: ImapState[] = ['not-authenticated'];
