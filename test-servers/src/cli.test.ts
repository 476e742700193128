import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LineClient } from './test-util/line-client.test-util.js';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

describe('mailwire-test-servers command', () => {
  it('prints one JSON line once every server accepts connections, serves, and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailwire-cli-test-'));
    const users = join(dir, 'users.json');
    writeFileSync(users, JSON.stringify([{ user: 'u@example.com', tokens: ['t'] }]));
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CLI, '--personality', 'outlook', '--users', users], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const first = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) resolve(out);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code} before printing`)));
    });
    const lines = first.trim().split('\n');
    expect(lines).toHaveLength(1);
    const info = JSON.parse(lines[0]!) as { imap: { port: number; tlsPort: number }; pop3: object; smtp: object; ca: string };
    expect(Object.keys(info).sort()).toEqual(['ca', 'imap', 'pop3', 'smtp']);
    const ca = readFileSync(info.ca, 'utf8');
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const c = await LineClient.open(info.imap.tlsPort, { ca, servername: 'localhost' });
    expect(await c.line()).toMatch(/^\* OK The Microsoft Exchange IMAP4 service is ready\./);
    c.close();
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', resolve);
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a missing users file with exit code 2 and a message', async () => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CLI, '--personality', 'outlook'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--users <file.json> is required');
  });

  it('refuses a users file that is not JSON without quoting it, so no password reaches stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailwire-cli-test-'));
    const users = join(dir, 'users.json');
    writeFileSync(users, '[{"user":"u@example.com","password":hunter2}]');
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CLI, '--users', users], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(2);
    expect(err).toContain('is not valid JSON');
    expect(err).not.toContain('hunter2');
  });
});
