/**
 * Reads an access token's claims locally where it is a JWT (Microsoft's v1/v2 tokens are;
 * Google's are opaque), and checks them against what the protocol needs. Only the claims
 * that explain a refusal are kept; the token itself is never returned or printed.
 */
import type { Protocol } from './endpoint.js';

export interface TokenClaims {
  aud?: string | string[];
  iss?: string;
  /** Delegated scopes (space-separated in `scp`). */
  scopes: string[];
  /** Application permissions (`roles`). */
  roles: string[];
  /** upn, preferred_username, unique_name or sub, the first present. */
  subject?: string;
  exp?: number;
  tid?: string;
}

export interface TokenFacts {
  length: number;
  jwt: boolean;
  claims?: TokenClaims;
  expired?: boolean;
  /** Plain-words problems found locally (wrong audience, missing scope, expired). */
  problems: string[];
}

const EXCHANGE_AUDIENCES = ['https://outlook.office.com', 'https://outlook.office365.com', '00000002-0000-0ff1-ce00-000000000000'];
const GRAPH_AUDIENCES = ['https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000'];

/** The delegated scope and the application permission each protocol needs on Exchange Online. */
export const MICROSOFT_NEEDS: Record<Protocol, { scope: string; role: string }> = {
  imap: { scope: 'IMAP.AccessAsUser.All', role: 'IMAP.AccessAsApp' },
  pop3: { scope: 'POP.AccessAsUser.All', role: 'POP.AccessAsApp' },
  smtp: { scope: 'SMTP.Send', role: 'SMTP.SendAsApp' },
};

export function decodeJwtClaims(token: string): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const str = (k: string): string | undefined => (typeof payload[k] === 'string' ? (payload[k] as string) : undefined);
  const aud = payload['aud'];
  const claims: TokenClaims = {
    scopes: typeof payload['scp'] === 'string' ? (payload['scp'] as string).split(' ').filter(Boolean) : [],
    roles: Array.isArray(payload['roles']) ? payload['roles'].filter((r): r is string => typeof r === 'string') : [],
  };
  if (typeof aud === 'string' || (Array.isArray(aud) && aud.every((a) => typeof a === 'string'))) claims.aud = aud as string | string[];
  const iss = str('iss');
  if (iss !== undefined) claims.iss = iss;
  const subject = str('upn') ?? str('preferred_username') ?? str('unique_name') ?? str('sub');
  if (subject !== undefined) claims.subject = subject;
  if (typeof payload['exp'] === 'number') claims.exp = payload['exp'];
  const tid = str('tid');
  if (tid !== undefined) claims.tid = tid;
  return claims;
}

/** A scope as a token carries it: Microsoft puts `IMAP.AccessAsUser.All` in scp for `https://outlook.office.com/IMAP.AccessAsUser.All`. */
function hasScope(list: string[], short: string): boolean {
  return list.some((s) => s === short || s.endsWith(`/${short}`));
}

export function examineToken(token: string, protocol: Protocol, options: { user?: string; now?: number } = {}): TokenFacts {
  const claims = decodeJwtClaims(token);
  const facts: TokenFacts = { length: token.length, jwt: claims !== undefined, problems: [] };
  if (!claims) return facts;
  facts.claims = claims;
  const now = options.now ?? Date.now();
  if (claims.exp !== undefined) {
    facts.expired = claims.exp * 1000 <= now;
    if (facts.expired) facts.problems.push(`the token expired at ${new Date(claims.exp * 1000).toISOString()}: get a fresh one (mailwire login, or refresh it)`);
  }
  const audiences = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const microsoft = audiences.some((a) => EXCHANGE_AUDIENCES.includes(a) || GRAPH_AUDIENCES.includes(a)) || /login\.microsoftonline\.com|sts\.windows\.net/.test(claims.iss ?? '');
  if (microsoft) {
    const need = MICROSOFT_NEEDS[protocol];
    if (audiences.some((a) => GRAPH_AUDIENCES.includes(a))) {
      facts.problems.push(`the token is for Microsoft Graph (aud ${audiences.join(' ')}), not Exchange Online: ask for the scope https://outlook.office.com/${need.scope}`);
    } else if (!audiences.some((a) => EXCHANGE_AUDIENCES.includes(a))) {
      facts.problems.push(`the token's audience (${audiences.join(' ') || 'none'}) is not Exchange Online (https://outlook.office.com)`);
    }
    if (claims.roles.length > 0 && claims.scopes.length === 0) {
      if (!hasScope(claims.roles, need.role)) facts.problems.push(`the app-only token lacks the application permission ${need.role} (it has: ${claims.roles.join(' ') || 'none'})`);
    } else if (!hasScope(claims.scopes, need.scope)) {
      facts.problems.push(`the token lacks the scope https://outlook.office.com/${need.scope} (it has: ${claims.scopes.join(' ') || 'none'})`);
    }
  }
  if (options.user && claims.subject && claims.scopes.length > 0 && claims.subject.toLowerCase() !== options.user.toLowerCase()) {
    facts.problems.push(`user= ${options.user} is not the token's account ${claims.subject}: that works only for a shared mailbox the account has FullAccess to`);
  }
  return facts;
}
