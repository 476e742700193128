/** `npm run demo`: the same as `mailwire demo` (see verbs/demo.ts). */
import { run } from './run.js';

process.exitCode = await run(['demo', ...process.argv.slice(2)], { stdout: process.stdout, stderr: process.stderr, env: process.env });
