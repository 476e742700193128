/**
 * The `mailwire` command: dispatch to one verb (one file each under verbs/), `--help`
 * everywhere, and the documented exit codes. Verbs run as functions on an injected io so
 * the tests call them directly; main.ts wires them to the process.
 */
import { CliUsageError } from './args.js';
import { reportFailure } from './failure.js';
import { EXIT, EXIT_CODES_TEXT, type CliIo, type Verb } from './io.js';
import { demoVerb } from './verbs/demo.js';
import { loginVerb } from './verbs/login.js';
import { probeVerb } from './verbs/probe.js';

export const VERBS: readonly Verb[] = [demoVerb, loginVerb, probeVerb];

export function mainUsage(): string {
  const width = Math.max(...VERBS.map((v) => v.name.length));
  return `usage: mailwire <verb> [options]   (mailwire <verb> --help for each verb)

verbs:
${VERBS.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`).join('\n')}

${EXIT_CODES_TEXT}`;
}

/** Runs `mailwire argv...`; resolves with the exit code, never rejects. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0] !== undefined) return run([rest[0], '--help'], io);
    (name === undefined ? io.stderr : io.stdout).write(mainUsage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const verb = VERBS.find((v) => v.name === name);
  if (verb === undefined) {
    io.stderr.write(`mailwire: unknown verb ${JSON.stringify(name)}\n${mainUsage()}`);
    return EXIT.usage;
  }
  try {
    return await verb.run(rest, io);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr.write(`mailwire ${verb.name}: ${error.message}\n${verb.usage}`);
      return EXIT.usage;
    }
    return reportFailure(verb.name, error, io);
  }
}
