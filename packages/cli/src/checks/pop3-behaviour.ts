/** POP3 behaviour checks: what the server does on the wire, each on its own connection. */
import type { BehaviourCheck } from './behaviour.js';
import type { LineProbe } from './longest-line.js';

export const POP3_BEHAVIOUR_CHECKS: readonly BehaviourCheck[] = [];

/** How `probe --fingerprint` measures the longest POP3 command line the server takes. */
export const POP3_LINE_PROBE: LineProbe | undefined = undefined;
