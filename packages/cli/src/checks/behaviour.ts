/**
 * The behaviour checks of `mailwire check`: each is one thing the server must do on the
 * wire, tried on its own connection. A check that needs a logged-in session is `not run`
 * without a token, and without TLS (--plaintext: the login refuses before a byte of the
 * token goes, TokenWithoutTls); one whose setup or exchange fails in a way the check did
 * not expect is a `fail` that says which step went wrong, never an exception out of `check`.
 */
import { MailwireError } from '@mailwire/errors';

import type { Protocol } from '../endpoint.js';
import type { CheckContext } from './context.js';
import { IMAP_BEHAVIOUR_CHECKS } from './imap-behaviour.js';
import { SetupFailed, TokenWithoutTls } from './open-for-checks.js';
import { POP3_BEHAVIOUR_CHECKS } from './pop3-behaviour.js';
import { SMTP_BEHAVIOUR_CHECKS } from './smtp-behaviour.js';
import type { Verdict } from './verdict.js';

export interface BehaviourCheck {
  id: string;
  rfc: string;
  /** 'login': runs only with --user and a token. */
  needs?: 'login';
  /** Tries the behaviour; calls `verdict` once (a check that returns without one is a fail). */
  run(ctx: CheckContext, verdict: (v: Verdict, detail: string) => void): Promise<void>;
}

const BY_PROTOCOL: Record<Protocol, readonly BehaviourCheck[]> = {
  imap: IMAP_BEHAVIOUR_CHECKS,
  pop3: POP3_BEHAVIOUR_CHECKS,
  smtp: SMTP_BEHAVIOUR_CHECKS,
};

export async function behaviourChecks(ctx: CheckContext): Promise<void> {
  for (const check of BY_PROTOCOL[ctx.endpoint.protocol]) {
    if (check.needs === 'login' && (ctx.user === undefined || ctx.token === undefined)) {
      ctx.add(check.id, check.rfc, 'not run', 'needs a logged-in session: give --user and a token');
      continue;
    }
    if (check.needs === 'login' && !ctx.oauthOffered) {
      ctx.add(check.id, check.rfc, 'not offered', 'needs a logged-in session, and the server offers neither OAUTHBEARER nor XOAUTH2 for the token');
      continue;
    }
    const [verdict, detail] = await runBehaviourCheck(check, ctx);
    ctx.add(check.id, check.rfc, verdict, detail);
  }
}

/** One check's verdict and detail; what it throws becomes a fail (or `not run` for a token it may not send). */
export async function runBehaviourCheck(check: BehaviourCheck, ctx: CheckContext): Promise<[Verdict, string]> {
  let given: [Verdict, string] | undefined;
  try {
    await check.run(ctx, (v, detail) => (given ??= [v, detail]));
  } catch (error) {
    given ??= error instanceof TokenWithoutTls ? ['not run', `needs a logged-in session; ${error.message}`] : ['fail', failureText(error)];
  }
  return given ?? ['fail', 'the check ended without a verdict'];
}

function failureText(error: unknown): string {
  if (error instanceof SetupFailed) return `could not get to the check: ${error.message}`;
  if (error instanceof MailwireError) return `${error.code}: ${error.message}`;
  return (error as Error).message;
}
