/**
 * The IMAP keywords responses are dispatched on (response names, status names, response
 * codes, STATUS items), matched against the message's bytes case-insensitively without
 * making a string: a match returns the constant itself, an internalized string that a
 * `switch` compares by identity. Anything else is upper-cased the slow way by the caller.
 */
const KEYWORDS = [
  // responses (RFC 9051 §7, extensions)
  'OK', 'NO', 'BAD', 'BYE', 'PREAUTH', 'CAPABILITY', 'ENABLED', 'FLAGS', 'LIST', 'LSUB', 'STATUS', 'SEARCH',
  'ESEARCH', 'NAMESPACE', 'ID', 'VANISHED', 'FETCH', 'EXISTS', 'RECENT', 'EXPUNGE', 'SORT', 'THREAD', 'QUOTA', 'QUOTAROOT',
  'ACL', 'METADATA',
  // STATUS items (RFC 9051 §7.2.4, RFC 7162, RFC 8438)
  'MESSAGES', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'DELETED', 'SIZE', 'HIGHESTMODSEQ', 'MAILBOXID',
  // response codes (RFC 9051 §7.1 and extensions)
  'ALERT', 'PARSE', 'PERMANENTFLAGS', 'READ-ONLY', 'READ-WRITE', 'TRYCREATE', 'UIDNOTSTICKY', 'APPENDUID', 'COPYUID',
  'BADCHARSET', 'NOMODSEQ', 'MODIFIED', 'CLOSED', 'HIGHESTMODSEQ', 'UNAVAILABLE', 'AUTHENTICATIONFAILED',
  'AUTHORIZATIONFAILED', 'EXPIRED', 'PRIVACYREQUIRED', 'CONTACTADMIN', 'NOPERM', 'INUSE', 'EXPUNGEISSUED',
  'CORRUPTION', 'SERVERBUG', 'CLIENTBUG', 'CANNOT', 'LIMIT', 'OVERQUOTA', 'ALREADYEXISTS', 'NONEXISTENT',
  'COMPRESSIONACTIVE', 'REFERRAL', 'OBJECTID', 'HASCHILDREN', 'NOTSAVED', 'UNKNOWN-CTE', 'MODSEQ', 'TAG', 'EARLIER',
  'MIN', 'MAX', 'ALL', 'COUNT', 'UID', 'PARTIAL',
];

/** KEYWORDS by length, each bucket's entries upper-case. */
const BY_LENGTH: string[][] = [];
for (const k of new Set(KEYWORDS)) (BY_LENGTH[k.length] ??= []).push(k);

/** The keyword spelled (in any case) by bytes [start, start + length), or undefined. */
export function knownKeyword(bytes: Uint8Array, start: number, length: number): string | undefined {
  const bucket = BY_LENGTH[length];
  if (bucket === undefined) return undefined;
  next: for (let n = 0; n < bucket.length; n++) {
    const k = bucket[n];
    for (let i = 0; i < length; i++) {
      const c = k.charCodeAt(i);
      const b = bytes[start + i];
      // c is upper-case ASCII or punctuation: b matches it, or its lower-case letter
      if (b !== c && (c < 0x41 || c > 0x5a || b !== c + 0x20)) continue next;
    }
    return k;
  }
  return undefined;
}
