/**
 * sequence-set (RFC 9051 §9): `1:3,5,7:*` over message sequence numbers or UIDs, where
 * `*` is the largest number in use. Returns the indexes (0-based) of the matching
 * messages in mailbox order, or null for a malformed set.
 */
export function resolveSequenceSet(set: string, uids: number[], byUid: boolean): number[] | null {
  if (!/^(\d+|\*)(:(\d+|\*))?(,(\d+|\*)(:(\d+|\*))?)*$/.test(set)) return null;
  const max = byUid ? (uids.length ? uids[uids.length - 1]! : 0) : uids.length;
  const num = (s: string) => (s === '*' ? max : Number(s));
  const ranges = set.split(',').map((r) => {
    const [a, b] = r.split(':');
    const x = num(a!);
    const y = b === undefined ? x : num(b);
    return [Math.min(x, y), Math.max(x, y)] as const;
  });
  if (!byUid && ranges.some(([lo]) => lo === 0)) return null;
  const out: number[] = [];
  for (let i = 0; i < uids.length; i++) {
    const n = byUid ? uids[i]! : i + 1;
    if (ranges.some(([lo, hi]) => n >= lo && n <= hi)) out.push(i);
  }
  return out;
}

/** UIDs as a compact set for COPYUID/APPENDUID (RFC 4315 §3): `1:3,7`. */
export function compactUidSet(uids: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < uids.length; ) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j]! + 1) j++;
    out.push(i === j ? String(uids[i]) : `${uids[i]}:${uids[j]}`);
    i = j + 1;
  }
  return out.join(',');
}
