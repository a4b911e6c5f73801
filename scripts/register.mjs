// Loaded with `node --import` before every test file and script: TypeScript through tsx, and the one
// Node 22 API that aws-local-stepfunctions 3 uses on Node 20.
import { register } from 'tsx/esm/api';
import '../shared/polyfills.js';

register();
