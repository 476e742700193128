/**
 * A small argv parser for the mailwire verbs: `--name value`, `--name=value`, boolean
 * `--name`, `-h` for `--help`, and `--` ending the options. Each verb declares its flags;
 * anything else is a usage error (exit 2), never silently ignored.
 */

export type FlagKind = 'string' | 'boolean' | 'list';

export type FlagSpec = Record<string, FlagKind>;

export interface ParsedArgs {
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** A mistake in the command line: the verb prints it with its usage and exits 2. */
export class CliUsageError extends Error {}

export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const all: FlagSpec = { help: 'boolean', ...spec };
  const flags: ParsedArgs['flags'] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      flags['help'] = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-') throw new CliUsageError(`unknown option ${arg}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const kind = all[name];
    if (kind === undefined) throw new CliUsageError(`unknown option --${name}`);
    if (kind === 'boolean') {
      if (eq !== -1) throw new CliUsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new CliUsageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    if (kind === 'list') flags[name] = [...((flags[name] as string[] | undefined) ?? []), value];
    else flags[name] = value;
  }
  return { flags, positionals };
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}
