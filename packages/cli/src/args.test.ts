import { describe, expect, it } from 'vitest';

import { CliUsageError, parseArgs } from './args.js';

describe('parseArgs', () => {
  const spec = { user: 'string', json: 'boolean', scope: 'list' } as const;

  it('takes --name value, --name=value, booleans, lists, -h and positionals in any order', () => {
    const args = parseArgs(['imap://h', '--user', 'a@b', '--json', '--scope=x', '--scope', 'y', '-h', 'more'], spec);
    expect(args.flags).toEqual({ user: 'a@b', json: true, scope: ['x', 'y'], help: true });
    expect(args.positionals).toEqual(['imap://h', 'more']);
  });

  it('stops at -- and keeps "-" (stdin) as a positional', () => {
    expect(parseArgs(['-', '--', '--user'], spec).positionals).toEqual(['-', '--user']);
  });

  it('refuses unknown options, a missing value and a value for a boolean', () => {
    expect(() => parseArgs(['--nope'], spec)).toThrow(new CliUsageError('unknown option --nope'));
    expect(() => parseArgs(['-x'], spec)).toThrow(new CliUsageError('unknown option -x'));
    expect(() => parseArgs(['--user'], spec)).toThrow(new CliUsageError('--user needs a value'));
    expect(() => parseArgs(['--json=yes'], spec)).toThrow(new CliUsageError('--json takes no value'));
  });
});
