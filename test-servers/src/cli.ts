#!/usr/bin/env node
/**
 * The mailwire-test-servers command: starts the IMAP, POP3 and SMTP test servers on free
 * ports, prints one JSON line `{ imap, pop3, smtp, ca }` (ca: the path of the CA's PEM
 * file) once all of them accept connections, and runs until SIGTERM or SIGINT.
 *
 *   mailwire-test-servers --personality outlook --users users.json [--host 127.0.0.1]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PERSONALITIES, type PersonalityName } from './personalities/index.js';
import { startTestServers } from './test-servers.js';
import type { TestUser } from './users.js';

function fail(message: string): never {
  process.stderr.write(`mailwire-test-servers: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: { personality?: string; users?: string; host?: string };
  try {
    ({ values } = parseArgs({ options: { personality: { type: 'string' }, users: { type: 'string' }, host: { type: 'string' } } }));
  } catch (e) {
    fail((e as Error).message);
  }
  const personality = values.personality ?? 'dovecot';
  if (!(personality in PERSONALITIES)) fail(`unknown personality ${personality}; known: ${Object.keys(PERSONALITIES).join(', ')}`);
  if (values.users === undefined) fail('--users <file.json> is required (a JSON array of { user, password?, tokens?, expiredTokens?, smtpAuthDisabled? })');
  let text: string;
  try {
    text = readFileSync(values.users, 'utf8');
  } catch (e) {
    fail(`cannot read ${values.users}: ${(e as Error).message}`);
  }
  let users: TestUser[];
  try {
    users = JSON.parse(text) as TestUser[];
  } catch {
    // Not JSON.parse's message: it quotes the text around the error, passwords and tokens included.
    fail(`${values.users} is not valid JSON`);
  }
  if (!Array.isArray(users) || users.some((u) => typeof u?.user !== 'string')) fail('the users file must hold an array of objects with a "user" string');
  const servers = await startTestServers({ personality: personality as PersonalityName, users, ...(values.host ? { host: values.host } : {}) });
  const dir = mkdtempSync(join(tmpdir(), 'mailwire-test-servers-'));
  const caPath = join(dir, 'ca.pem');
  writeFileSync(caPath, servers.ca);
  process.stdout.write(`${JSON.stringify({ imap: servers.imap, pop3: servers.pop3, smtp: servers.smtp, ca: caPath })}\n`);
  const stop = () => {
    void servers.stop().finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
