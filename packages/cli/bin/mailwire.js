#!/usr/bin/env node
// The installed command: runs the built CLI (npx tsc -b first). This shim exists at
// install time, so npm links it on a fresh `npm ci` even before dist/ is built.
import '../dist/main.js';
