/**
 * How a DNS-01 solver is configured (cert-manager's `solvers[]`: a selector and one provider), and
 * the check that refuses a configuration at synth time, naming the field.
 */

import type { AcmeSolverConfig } from '../ports/dns.js';

/** A hook's function: a name or full ARN, each optionally with a version or alias. */
const HOOK_FUNCTION =
  /^(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9_$-]{1,128})?$/;

/**
 * Refuses, at synth time, a solver configuration that could only fail later (or write into the
 * wrong DNS); the error names the field. A solver writes into exactly one DNS: with two, which one the CA would query is a guess; with
 * none, presenting would fail only at the first issuance.
 */
export function checkSolverConfig(solver: AcmeSolverConfig, at: string): void {
  checkSolverKind(solver, at);
  const route53 = solver.dns01?.route53;
  if (route53?.externalId && !route53.roleArn) {
    throw new Error(`${at}.dns01.route53.externalId: goes with a roleArn`);
  }
  if (route53?.roleArn && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(route53.roleArn)) {
    throw new Error(`${at}.dns01.route53.roleArn: "${route53.roleArn}" is not an IAM role ARN`);
  }
  const strategy = solver.dns01?.cnameStrategy;
  if (strategy !== undefined && strategy !== 'None' && strategy !== 'Follow') {
    throw new Error(`${at}.dns01.cnameStrategy: must be None or Follow`);
  }
}

function checkSolverKind(solver: AcmeSolverConfig, at: string): void {
  const dns01 = solver.dns01 ?? {};
  const kinds = (['route53', 'challtestsrv', 'hook'] as const).filter((kind) => dns01[kind] !== undefined);
  if (kinds.length !== 1) {
    throw new Error(
      `${at}.dns01: needs exactly one of route53, challtestsrv, hook` +
        (kinds.length ? ` (has ${kinds.join(', ')})` : ''),
    );
  }
  if (!dns01.hook) return;
  const functionName: unknown = dns01.hook.functionName;
  if (typeof functionName !== 'string' || functionName === '') {
    throw new Error(`${at}.dns01.hook.functionName: is required`);
  }
  if (!HOOK_FUNCTION.test(functionName)) {
    throw new Error(
      `${at}.dns01.hook.functionName: "${functionName}" is neither a Lambda function name nor a function ARN`,
    );
  }
}
