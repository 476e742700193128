/**
 * The users table behind every test server, and the SaslServerContext that packages/sasl
 * verifies each mechanism against: tokens for XOAUTH2/OAUTHBEARER (with expired tokens
 * refused as expired), passwords for PLAIN, LOGIN, CRAM-MD5 and SCRAM-SHA-256.
 */
import type { SaslServerContext, TokenVerdict } from '@mailwire/sasl';

/** One user of the test servers (see API.md, test-servers). */
export interface TestUser {
  user: string;
  password?: string;
  tokens?: string[];
  expiredTokens?: string[];
  /** Office 365: SMTP AUTH is disabled for the tenant (535 5.7.139). */
  smtpAuthDisabled?: boolean;
}

/** Decides on a token presented for a user (XOAUTH2/OAUTHBEARER), in place of the fixed token lists. */
export type TokenVerifier = (user: string, token: string, mechanism: string) => Promise<TokenVerdict> | TokenVerdict;

export class UserTable {
  readonly #users = new Map<string, TestUser>();
  /** Tokens expired at run time (expireToken), refused from then on. */
  readonly #revoked = new Set<string>();

  /** Where given, tokens are checked by this hook (e.g. RFC 7662 introspection) instead of the users' token lists. */
  readonly #verifyToken: TokenVerifier | undefined;

  constructor(users: TestUser[], verifyToken?: TokenVerifier) {
    for (const u of users) this.#users.set(u.user.toLowerCase(), u);
    this.#verifyToken = verifyToken;
  }

  get(user: string): TestUser | undefined {
    return this.#users.get(user.toLowerCase());
  }

  all(): TestUser[] {
    return [...this.#users.values()];
  }

  /** The user when `password` is theirs (a user without a password never matches), else undefined. */
  withPassword(user: string, password: string): TestUser | undefined {
    const u = this.get(user);
    return u?.password !== undefined && u.password === password ? u : undefined;
  }

  /** The verdict for a token presented for a user. */
  tokenVerdict(user: string, token: string): TokenVerdict {
    const u = this.get(user);
    if (!u) return 'invalid';
    if (u.expiredTokens?.includes(token) || this.#revoked.has(token)) return 'expired';
    return u.tokens?.includes(token) ? 'ok' : 'invalid';
  }

  /** Marks a token expired from now on (sessions authenticated with it end at their next command). */
  expireToken(token: string): void {
    this.#revoked.add(token);
  }

  isRevoked(token: string): boolean {
    return this.#revoked.has(token);
  }

  /** The SaslServerContext for packages/sasl; `onToken` learns which token authenticated. */
  saslContext(extra: Partial<SaslServerContext>, onToken?: (token: string) => void): SaslServerContext {
    return {
      hostname: 'localhost',
      ...extra,
      verifyToken: async (user, token, mechanism) => {
        const v = this.#verifyToken !== undefined && !this.#revoked.has(token) ? await this.#verifyToken(user, token, mechanism) : this.tokenVerdict(user, token);
        if (v === 'ok') onToken?.(token);
        return v;
      },
      verifyPassword: (user, password) => this.withPassword(user, password) !== undefined,
      lookupPassword: (user) => this.get(user)?.password ?? null,
    };
  }
}
