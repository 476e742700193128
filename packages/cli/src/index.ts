export { run, USAGE } from './main.js';
export { parseArgs, ArgvError } from './args.js';
export { EXIT } from './exit-codes.js';
export type { CliIo } from './io.js';
