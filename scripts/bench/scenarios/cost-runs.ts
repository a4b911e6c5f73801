/**
 * Two certflow issuances, one name and ten names, priced from what they did (state transitions,
 * handler calls and time, API calls); the first one also priced for a month of 1,000 certificates.
 */
import type { CertflowRun } from '../measure/certflow.js';
import { type IssuanceCost, type MonthlyCost, issuanceCost, monthlyCost } from '../measure/cost.js';
import { type Bench, host } from './context.js';

export interface CostRow {
  measured: IssuanceCost;
  /** The same run if every Lambda call had taken 1 s. */
  pessimistic: IssuanceCost;
  taskStatesEntered: number;
}

export async function costRuns(bench: Bench): Promise<{ costs: CostRow[]; month: MonthlyCost }> {
  const { pipeline, log } = bench;
  log('bench: cost runs (one name, ten names)');
  const runs: { names: number; run: CertflowRun }[] = [];
  for (const names of [1, 10]) {
    const run = await pipeline.issue(
      `cost-${names}`,
      Array.from({ length: names }, (_, i) => host('certflow', `c${names}-${i}`)),
    );
    if (run.status !== 'SUCCEEDED') throw new Error(`cost run (${names} names) failed: ${run.error}: ${run.cause}`);
    runs.push({ names, run });
  }
  const costs = runs.map(({ names, run }) => ({
    measured: issuanceCost(run, names),
    pessimistic: issuanceCost(run, names, 1_000),
    taskStatesEntered: run.history.filter((e) => (e as { type?: string }).type === 'StateEntered' && isTaskEvent(e))
      .length,
  }));
  return { costs, month: monthlyCost(costs[0]!.measured) };
}

function isTaskEvent(event: unknown): boolean {
  return (event as { state?: { type?: string } }).state?.type === 'Task';
}
