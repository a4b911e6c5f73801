#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npx certflow` works from a checkout without a build.
import { register } from 'tsx/esm/api';

register();
const { main, processContext } = await import('../cli/main.ts');
process.exitCode = await main(processContext());
