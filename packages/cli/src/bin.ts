#!/usr/bin/env node
import { run } from './main.js';
import { processIo } from './io.js';
import { terminalProgress } from './verbs/fetch.js';

run(process.argv.slice(2), { ...processIo, ...(process.stderr.isTTY ? { progress: terminalProgress } : {}) }).then((code) => {
  if (code !== 0) process.exitCode = code;
});
