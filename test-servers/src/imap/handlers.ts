/**
 * The IMAP command registry: command name -> handler, from each command family's file.
 */
import { anyStateCommands } from './commands-any.js';
import { authCommands } from './commands-auth.js';
import { mailboxCommands } from './commands-mailbox.js';
import { messageCommands } from './commands-message.js';
import type { Handler } from './handler.js';

export const HANDLERS: Readonly<Record<string, Handler>> = {
  ...anyStateCommands,
  ...authCommands,
  ...mailboxCommands,
  ...messageCommands,
};
