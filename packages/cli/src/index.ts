export { run, mainUsage, VERBS } from './run.js';
export { parseArgs, CliUsageError } from './args.js';
export type { FlagSpec, ParsedArgs } from './args.js';
export { EXIT } from './io.js';
export type { CliIo, Verb } from './io.js';
