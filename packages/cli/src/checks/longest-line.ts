/**
 * `probe --fingerprint`'s line-length measurement: the longest command line the server
 * takes, found on fresh connections (a server may close after a line it refuses). Lengths
 * double from the RFC minimum until one is refused, then the gap is halved down to the
 * octet; the result says "at least" where even the ceiling was taken.
 * Each protocol's probe says whether the server took one line of exactly `octets`
 * octets, CRLF included, as a command it read whole.
 */
import type { Protocol } from '../endpoint.js';
import type { ConnectContext } from './context.js';
import { IMAP_LINE_PROBE } from './imap-behaviour.js';
import { POP3_LINE_PROBE } from './pop3-behaviour.js';
import { SMTP_LINE_PROBE } from './smtp-behaviour.js';

export interface LineProbe {
  /** The length every server must take (the RFC's minimum), where the search starts. */
  floor: number;
  /** The probe logs in (so never without TLS). */
  needsLogin?: boolean;
  /** Whether the server took a command line of exactly `octets` octets. */
  accepts(ctx: ConnectContext, octets: number): Promise<boolean>;
}

export interface LongestLine {
  /** The longest length taken (0 when not even the floor was). */
  octets: number;
  /** True when the ceiling itself was taken: the limit is higher than measured. */
  atLeast: boolean;
  /** Connections used. */
  tries: number;
}

const PROBES: Record<Protocol, LineProbe | undefined> = { imap: IMAP_LINE_PROBE, pop3: POP3_LINE_PROBE, smtp: SMTP_LINE_PROBE };
export const LINE_CEILING = 1 << 20;

export function lineProbeFor(protocol: Protocol): LineProbe | undefined {
  return PROBES[protocol];
}

export async function longestLineAccepted(ctx: ConnectContext, probe: LineProbe, ceiling = LINE_CEILING): Promise<LongestLine> {
  let tries = 0;
  const accepts = async (octets: number) => {
    tries++;
    return probe.accepts(ctx, octets);
  };
  if (!(await accepts(probe.floor))) return { octets: 0, atLeast: false, tries };
  let good = probe.floor;
  let bad = 0;
  while (bad === 0) {
    const next = Math.min(good * 2, ceiling);
    if (await accepts(next)) {
      good = next;
      if (good === ceiling) return { octets: good, atLeast: true, tries };
    } else bad = next;
  }
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    if (await accepts(mid)) good = mid;
    else bad = mid;
  }
  return { octets: good, atLeast: false, tries };
}
