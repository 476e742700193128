/** Test helpers for `mailwire check`: run it with --json, and scripted servers that break one check. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startScriptedServer, type ReplayResult } from '@mailwire/test-servers';

import type { CliIo } from '../io.js';
import { check } from '../verbs/check.js';
import type { CheckResult } from './verdict.js';

export function recordingIo(env: Record<string, string> = {}): CliIo & { text: () => string } {
  const out: string[] = [];
  return { env, out: (l) => out.push(l), err: (l) => out.push(l), text: () => out.join('\n') };
}

/** Runs `mailwire check ARGS --json`; the exit code and the checks by id. */
export async function runCheck(args: string[], env: Record<string, string> = {}): Promise<{ code: number; byId: Record<string, CheckResult> }> {
  const io = recordingIo(env);
  const code = await check([...args, '--json'], io);
  const report = JSON.parse(io.text()) as { checks: CheckResult[] };
  return { code, byId: Object.fromEntries(report.checks.map((c) => [c.id, c])) };
}

/** A file holding `text` for the duration of `use` (a CA PEM, a token). */
export async function withFile<T>(text: string, use: (path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'mailwire-check-'));
  const path = join(dir, 'file');
  writeFileSync(path, text);
  try {
    return await use(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `mailwire check` against a scripted server playing `transcripts`, one per
 * connection (the probe's look comes first, then each behaviour check's own connection).
 */
export async function checkAgainstScript(
  scheme: 'imap' | 'imaps' | 'pop3' | 'pop3s' | 'submission' | 'smtps',
  transcripts: string[],
  extraArgs: string[] = [],
): Promise<{ code: number; byId: Record<string, CheckResult>; replay: ReplayResult }> {
  const srv = await startScriptedServer({ transcript: transcripts, tls: ['imaps', 'pop3s', 'smtps'].includes(scheme) });
  try {
    const { code, byId } = await withFile(srv.ca, (ca) => runCheck([`${scheme}://127.0.0.1:${srv.port}`, '--ca', ca, ...extraArgs]));
    const replay = await srv.result;
    return { code, byId, replay };
  } finally {
    await srv.close();
  }
}

/** The client side of a plaintext SMTP connection up to EHLO over TLS, as the checks and the probe send it. */
export function smtpOpening(ehloLines: string[]): string[] {
  const ehlo = ehloLines.map((l, i) => `S: 250${i === ehloLines.length - 1 ? ' ' : '-'}${l}`);
  return ['S: 220 mx.example.com ESMTP', 'C: EHLO [127.0.0.1]', ...ehlo.map((l, i) => (i === ehlo.length - 1 ? l.replace(/^S: 250 /, 'S: 250-') : l)), 'S: 250 STARTTLS', 'C: STARTTLS', 'S: 220 go ahead', 'C: EHLO [127.0.0.1]', ...ehlo];
}
