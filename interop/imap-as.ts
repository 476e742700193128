/** An IMAP session on the lab's implicit-TLS port as one user: the interop tests put messages in place with it and read results back. */
import { ImapClient } from '@mailwire/imap';

import type { LabInfo } from './lab.js';

export function imapAs(lab: LabInfo, user: string, accessToken: string): ImapClient {
  return new ImapClient({ host: lab.secureHost, port: lab.ports.imaps, security: 'tls', tls: { ca: lab.ca, servername: 'localhost' }, auth: { user, accessToken, mechanism: 'XOAUTH2' } });
}

/** APPENDs the messages to the user's INBOX, in order, and logs out. */
export async function appendOverImap(lab: LabInfo, user: string, accessToken: string, messages: readonly string[]): Promise<void> {
  const imap = imapAs(lab, user, accessToken);
  try {
    await imap.connect();
    for (const m of messages) await imap.append('INBOX', m);
    await imap.logout();
  } finally {
    imap.close();
  }
}
