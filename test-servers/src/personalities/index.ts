/**
 * The personality registry: outlook (Office 365), gmail, dovecot.
 */
import { dovecot } from './dovecot.js';
import { gmail } from './gmail.js';
import { outlook } from './outlook.js';
import type { Personality, PersonalityName } from './personality.js';

export type { Personality, PersonalityName, ImapTexts, Pop3Texts, SmtpTexts } from './personality.js';

export const PERSONALITIES: Readonly<Record<PersonalityName, Personality>> = { outlook, gmail, dovecot };

/** The personality of a name; throws a TypeError naming the known ones. */
export function personality(name: string): Personality {
  const p = (PERSONALITIES as Record<string, Personality>)[name];
  if (!p) throw new TypeError(`unknown personality ${JSON.stringify(name)}; known: ${Object.keys(PERSONALITIES).join(', ')}`);
  return p;
}
