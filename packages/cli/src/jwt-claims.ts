/**
 * Reads an access token's JWT claims locally (no signature check: only to explain a refusal)
 * and checks them against what the protocol needs. Microsoft consumer tokens (EwB...) are
 * opaque: nothing to read, said so.
 */
export interface TokenClaims {
  aud?: string;
  scopes: string[];
  subject?: string;
  exp?: number;
}

export function decodeClaims(token: string): TokenClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const scope = String(payload['scp'] ?? payload['scope'] ?? '');
    const aud = Array.isArray(payload['aud']) ? String(payload['aud'][0]) : payload['aud'] === undefined ? undefined : String(payload['aud']);
    const subject = payload['upn'] ?? payload['preferred_username'] ?? payload['sub'];
    return {
      ...(aud !== undefined ? { aud } : {}),
      scopes: scope.split(' ').filter(Boolean),
      ...(subject !== undefined ? { subject: String(subject) } : {}),
      ...(typeof payload['exp'] === 'number' ? { exp: payload['exp'] } : {}),
    };
  } catch {
    return null;
  }
}

const OUTLOOK_SCOPE: Record<string, string> = {
  imap: 'IMAP.AccessAsUser.All',
  pop3: 'POP.AccessAsUser.All',
  smtp: 'SMTP.Send',
};

/** Plain-words problems with the claims for this protocol; empty when nothing looks wrong. */
export function claimProblems(claims: TokenClaims, protocol: 'imap' | 'pop3' | 'smtp', nowSeconds: number): string[] {
  const problems: string[] = [];
  if (claims.exp !== undefined && claims.exp <= nowSeconds) {
    problems.push(`the token expired ${Math.round((nowSeconds - claims.exp) / 60)} minute(s) ago: get a fresh one`);
  }
  const outlook = claims.aud === 'https://outlook.office.com' || claims.aud === 'https://outlook.office365.com' ||
    claims.aud === '00000002-0000-0ff1-ce00-000000000000';
  if (claims.aud === 'https://graph.microsoft.com' || claims.aud === '00000003-0000-0000-c000-000000000000') {
    problems.push(`the token is for Microsoft Graph (aud ${claims.aud}); ${protocol.toUpperCase()} needs one for https://outlook.office.com/${OUTLOOK_SCOPE[protocol]}`);
  } else if (outlook) {
    const needed = OUTLOOK_SCOPE[protocol]!;
    const roles = claims.scopes.some((s) => s === needed || s === 'full_access_as_app' || s.endsWith(`/${needed}`));
    if (!roles && claims.scopes.length > 0) problems.push(`the token lacks the ${needed} scope: ask for https://outlook.office.com/${needed}`);
  }
  return problems;
}
