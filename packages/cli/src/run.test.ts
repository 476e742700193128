import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { EXIT } from './io.js';
import { run, VERBS } from './run.js';
import { recordingIo } from './test-io.test-util.js';

describe('mailwire', () => {
  it('--help lists every verb and the exit codes, on stdout, exit 0', async () => {
    const io = recordingIo();
    expect(await run(['--help'], io)).toBe(EXIT.ok);
    for (const v of VERBS) expect(io.out()).toContain(`  ${v.name} `);
    expect(io.out()).toContain('4  authentication failed');
    expect(io.err()).toBe('');
  });

  it('no verb prints the usage on stderr, exit 2; an unknown verb names it, exit 2', async () => {
    const none = recordingIo();
    expect(await run([], none)).toBe(EXIT.usage);
    expect(none.err()).toContain('usage: mailwire <verb>');
    const unknown = recordingIo();
    expect(await run(['frobnicate'], unknown)).toBe(EXIT.usage);
    expect(unknown.err()).toContain('unknown verb "frobnicate"');
  });

  it.each(VERBS.map((v) => v.name))('%s --help prints its usage with the exit codes, exit 0', async (name) => {
    const io = recordingIo();
    expect(await run([name, '--help'], io)).toBe(EXIT.ok);
    expect(io.out()).toContain(`mailwire ${name}`);
    expect(io.out()).toContain('exit codes:');
    const viaHelp = recordingIo();
    expect(await run(['help', name], viaHelp)).toBe(EXIT.ok);
    expect(viaHelp.out()).toBe(io.out());
  });

  it('a bad option is a usage error naming it, with the verb usage, exit 2', async () => {
    const io = recordingIo();
    expect(await run(['demo', '--bogus'], io)).toBe(EXIT.usage);
    expect(io.err()).toMatch(/^mailwire demo: unknown option --bogus\nusage: mailwire demo/);
  });

  it('the installed bin runs (built by tsc -b): --help, exit 0', async () => {
    const bin = fileURLToPath(new URL('../bin/mailwire.js', import.meta.url));
    const child = spawn(process.execPath, [bin, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(out).toContain('usage: mailwire <verb>');
  });
});
