#!/usr/bin/env node
/** The `mailwire` bin: the verbs of run.ts on this process's argv, streams and environment. */
import { run } from './run.js';

process.exitCode = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, stdin: process.stdin });
