/**
 * One snapshot of the template that the default configuration (Let's Encrypt presets with zone
 * look-up) deploys, so that any change to the infrastructure shows up in review as a diff.
 *
 * After an intended change, update it and review the diff of the JSON file:
 *   UPDATE_SNAPSHOTS=1 node --import ./scripts/register.mjs --test test/infra/snapshot.test.ts
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../infra/config/certflow-config.js';
import { synthesizeTemplate } from '../../infra/synth.js';

const SNAPSHOT = fileURLToPath(new URL('./__snapshots__/certflow-stack.json', import.meta.url));
// Asset hashes follow every byte of the project's sources, not the infrastructure.
const ASSET_HASH = /[0-9a-f]{64}/g;

/** The template without the values that change from one run or checkout to the next. */
function stable(node: unknown): unknown {
  if (typeof node === 'string') return node.replace(ASSET_HASH, '<asset-hash>');
  if (Array.isArray(node)) return node.map(stable);
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, stable(value)]));
  }
  return node;
}

describe('Stack: Certflow', () => {
  it('synthesizes the default configuration as in the snapshot', () => {
    const actual = stable(synthesizeTemplate(loadConfig({})));
    if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(SNAPSHOT)) {
      mkdirSync(fileURLToPath(new URL('./__snapshots__/', import.meta.url)), { recursive: true });
      writeFileSync(SNAPSHOT, `${JSON.stringify(actual, null, 2)}\n`);
      return;
    }
    assert.deepEqual(actual, JSON.parse(readFileSync(SNAPSHOT, 'utf8')));
  });
});
