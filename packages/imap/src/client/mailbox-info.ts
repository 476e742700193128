/**
 * `mailboxInfo` reads what SELECT/EXAMINE told (RFC 9051 §6.3.2, RFC 7162 §3.1.2) into a
 * MailboxInfo: FLAGS, EXISTS, RECENT and the response codes of the untagged OKs
 * (PERMANENTFLAGS, UIDVALIDITY, UIDNEXT, UNSEEN, HIGHESTMODSEQ), and READ-ONLY /
 * READ-WRITE from the tagged OK.
 */
import type { ImapResponse, MailboxInfo, StatusResponse } from '../types.js';

export function mailboxInfo(data: readonly ImapResponse[], tagged: StatusResponse, examine: boolean): MailboxInfo {
  const info: MailboxInfo = { exists: 0, flags: [], readOnly: examine };
  for (const r of data) {
    switch (r.kind) {
      case 'exists':
        info.exists = (r as { count: number }).count;
        break;
      case 'recent':
        info.recent = (r as { count: number }).count;
        break;
      case 'flags':
        info.flags = (r as { flags: string[] }).flags;
        break;
      case 'status':
        readCode(info, r as StatusResponse);
        break;
    }
  }
  readCode(info, tagged);
  return info;
}

function readCode(info: MailboxInfo, status: StatusResponse): void {
  const code = status.code;
  if (!code) return;
  const v = code.value;
  switch (code.name) {
    case 'PERMANENTFLAGS':
      if (Array.isArray(v)) info.permanentFlags = v as string[];
      break;
    case 'UIDVALIDITY':
      if (typeof v === 'number') info.uidValidity = v;
      break;
    case 'UIDNEXT':
      if (typeof v === 'number') info.uidNext = v;
      break;
    case 'UNSEEN':
      if (typeof v === 'number') info.unseen = v;
      break;
    case 'HIGHESTMODSEQ':
      if (typeof v === 'bigint') info.highestModSeq = v;
      else if (typeof v === 'number') info.highestModSeq = BigInt(v);
      break;
    case 'NOMODSEQ':
      break;
    case 'READ-ONLY':
      info.readOnly = true;
      break;
    case 'READ-WRITE':
      info.readOnly = false;
      break;
  }
}
