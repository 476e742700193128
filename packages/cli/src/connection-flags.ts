/** The flags every connecting verb takes besides credentials: the CA to trust and --plaintext. */
import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';

import { CliUsageError, booleanFlag, stringFlag, type FlagSpec, type ParsedArgs } from './args.js';
import { parseEndpoint, type Endpoint } from './endpoint.js';

export const CONNECTION_FLAGS: FlagSpec = { ca: 'string', plaintext: 'boolean' };

export const CONNECTION_USAGE = `  --ca FILE            verify the server against the CA certificates in FILE (PEM)
  --plaintext          imap://, smtp://, pop3:// without STARTTLS (credentials are never sent then)
`;

export async function endpointFrom(args: ParsedArgs, verb: string): Promise<{ endpoint: Endpoint; tls: ConnectionOptions }> {
  const [url, ...extra] = args.positionals;
  if (url === undefined) throw new CliUsageError(`${verb} needs a server URL`);
  if (extra.length > 0) throw new CliUsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const endpoint = parseEndpoint(url, { plaintext: booleanFlag(args, 'plaintext') });
  const caFile = stringFlag(args, 'ca');
  const tls: ConnectionOptions = {};
  if (caFile !== undefined) {
    tls.ca = await readFile(caFile, 'utf8').catch((e: Error) => {
      throw new CliUsageError(`cannot read --ca ${caFile}: ${e.message}`);
    });
  }
  return { endpoint, tls };
}
