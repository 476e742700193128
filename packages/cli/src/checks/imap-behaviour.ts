/** IMAP behaviour checks: what the server does on the wire, each on its own connection. */
import type { BehaviourCheck } from './behaviour.js';
import type { LineProbe } from './longest-line.js';

export const IMAP_BEHAVIOUR_CHECKS: readonly BehaviourCheck[] = [];

/** How `probe --fingerprint` measures the longest IMAP command line the server takes. */
export const IMAP_LINE_PROBE: LineProbe | undefined = undefined;
