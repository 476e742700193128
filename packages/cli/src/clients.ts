/** One shape over the protocol clients for the verbs that only connect and authenticate. */
import { ImapClient } from '@mailwire/imap';
import type { ClientOptions, TlsDetails } from '@mailwire/net';
import { Pop3Client } from '@mailwire/pop3';
import { SmtpClient } from '@mailwire/smtp';

import type { Endpoint } from './endpoint.js';

export interface SessionClient {
  connect(): Promise<void>;
  /** Ends politely (LOGOUT/QUIT). */
  end(): Promise<void>;
  readonly capabilities: ReadonlySet<string>;
  readonly authMechanisms: ReadonlySet<string>;
  tlsDetails(): TlsDetails | null;
}

/** What each protocol client has in common, with its own name for the polite ending. */
type ProtocolClient = Omit<SessionClient, 'end'>;

function wrap(c: ProtocolClient, end: () => Promise<void>): SessionClient {
  return {
    connect: () => c.connect(),
    end,
    get capabilities() {
      return c.capabilities;
    },
    get authMechanisms() {
      return c.authMechanisms;
    },
    tlsDetails: () => c.tlsDetails(),
  };
}

export function sessionClient(endpoint: Endpoint, options: Omit<ClientOptions, 'host' | 'port' | 'security'>): SessionClient {
  const common: ClientOptions = { ...options, host: endpoint.host, port: endpoint.port, security: endpoint.security };
  if (endpoint.protocol === 'imap') {
    const c = new ImapClient(common);
    return wrap(c, () => c.logout());
  }
  if (endpoint.protocol === 'smtp') {
    const c = new SmtpClient(common);
    return wrap(c, () => c.quit());
  }
  const c = new Pop3Client(common);
  return wrap(c, () => c.quit());
}
