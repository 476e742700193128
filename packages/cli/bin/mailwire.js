#!/usr/bin/env node
// A committed launcher so npm links `mailwire` at `npm ci`, before `npm run build` makes dist/.
import '../dist/bin.js';
