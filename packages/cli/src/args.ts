/** A small argv parser: `--name value`, `--name=value`, boolean flags, positionals, `--` ends options. */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Map<string, string | true>;
}

export class ArgvError extends Error {}

/** `valued` lists the options that take a value; every other `--x` is a boolean flag. */
export function parseArgs(argv: readonly string[], valued: ReadonlySet<string>, flags: ReadonlySet<string>): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (valued.has(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new ArgvError(`--${name} needs a value`);
      options.set(name, value);
    } else if (flags.has(name) && eq === -1) {
      options.set(name, true);
    } else {
      throw new ArgvError(`unknown option --${name}`);
    }
  }
  return { positionals, options };
}
