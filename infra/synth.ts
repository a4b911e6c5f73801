/**
 * Synthesizes the stack in-process and returns its CloudFormation template: local mode and the
 * tests run the state machine from exactly this definition. Lambda bundling is skipped (the
 * local runner calls the handlers' TypeScript directly).
 */
import { App } from 'aws-cdk-lib';
import { CertflowStack } from './certflow-stack.js';
import type { CertflowConfig } from './config.js';

export function synthesizeTemplate(config: CertflowConfig, options: { bundle?: boolean } = {}) {
  const app = new App({
    context: options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] },
    outdir: undefined,
  });
  new CertflowStack(app, 'Certflow', { config });
  return app.synth().getStackByName('Certflow').template as { Resources: Record<string, { Type: string; Properties?: Record<string, any> }> };
}
