#!/usr/bin/env node
import { run } from './main.js';
import { processIo } from './io.js';

run(process.argv.slice(2), processIo).then((code) => {
  if (code !== 0) process.exitCode = code;
});
