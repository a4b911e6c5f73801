#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CertflowStack } from './certflow-stack.js';
import { loadConfig } from './config/certflow-config.js';

const app = new App();
new CertflowStack(app, 'Certflow', {
  config: loadConfig(app.node.tryGetContext('certflow')),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'certflow: ACME certificates issued by Step Functions, kept in Secrets Manager',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
