#!/usr/bin/env node
// The installed command: runs the built CLI (npm run build first). This shim exists at
// install time, so npm links it even before dist/ is built.
import '../dist/cli.js';
