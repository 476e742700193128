/**
 * Writes fixtures/personalities/<personality>/*.txt from recordPersonalitySessions().
 * Run after changing a personality's texts, and review the diff:
 *
 *   node --conditions=source --import tsx test-servers/src/replay/record-fixtures.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PERSONALITIES, type PersonalityName } from '../personalities/index.js';
import { recordPersonalitySessions } from './personality-sessions.js';

/** The fixtures/personalities directory of this repository. */
export const PERSONALITY_FIXTURES = fileURLToPath(new URL('../../../fixtures/personalities/', import.meta.url));

async function main(): Promise<void> {
  for (const name of Object.keys(PERSONALITIES) as PersonalityName[]) {
    const dir = `${PERSONALITY_FIXTURES}${name}`;
    mkdirSync(dir, { recursive: true });
    for (const s of await recordPersonalitySessions(name)) {
      writeFileSync(`${dir}/${s.name}`, s.text);
      process.stdout.write(`wrote ${name}/${s.name}\n`);
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main();
