/**
 * Synthesizes the stack in-process: local mode and the tests run the state machine from exactly
 * the definition `cdk deploy` would deploy. Lambda bundling is skipped unless asked for (the
 * local runner calls the handlers' TypeScript directly).
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { CertflowStack } from './certflow-stack.js';
import type { CertflowConfig } from './config/certflow-config.js';

export interface SynthesizedStack {
  template: {
    Resources: Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> }>;
  };
  /** The cloud assembly directory (bundled Lambda code is under it when `bundle` is set). */
  outdir: string;
}

export function synthesize(
  config: CertflowConfig,
  options: { bundle?: boolean; outdir?: string } = {},
): SynthesizedStack {
  const app = new App({
    context: { ...cdkJsonContext(), ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  new CertflowStack(app, 'Certflow', { config });
  const assembly = app.synth();
  return { template: assembly.getStackByName('Certflow').template, outdir: assembly.directory };
}

/** The template alone, without bundling: what local mode and most tests need. */
export function synthesizeTemplate(config: CertflowConfig): SynthesizedStack['template'] {
  return synthesize(config).template;
}

/** The feature flags of cdk.json, so that in-process synthesis matches `cdk synth`. */
export function cdkJsonContext(): Record<string, unknown> {
  const file = new URL('../cdk.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
}
