#!/usr/bin/env node
import { run } from './main.js';
import { processIo } from './io.js';
import { terminalProgress } from './verbs/fetch.js';

const interrupted = new AbortController();
// Only idle ends cleanly on Ctrl-C; every other verb keeps the default (exit at once).
if (process.argv[2] === 'idle') process.once('SIGINT', () => interrupted.abort());
run(process.argv.slice(2), { signal: interrupted.signal, ...processIo, ...(process.stderr.isTTY ? { progress: terminalProgress } : {}) }).then((code) => {
  if (code !== 0) process.exitCode = code;
});
