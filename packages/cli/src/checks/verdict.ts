/**
 * What one conformance check found. `not offered`: the server does not offer what the
 * check tests (no failure). `not run`: the check needs something the caller did not give
 * (a token to log in), so nothing was tested (no failure either).
 */
export type Verdict = 'pass' | 'fail' | 'not offered' | 'not run';

export interface CheckResult {
  id: string;
  rfc: string;
  verdict: Verdict;
  detail: string;
}
