/**
 * Certificate private keys, generated with `node:crypto` in the PEM encoding cert-manager would
 * write for the same `privateKey` spec.
 */
import { createPrivateKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { describeKey, type KeyDescription } from './certificate-info.js';
import { ALLOWED_KEY_SIZES, type PrivateKeySpec } from './spec.js';
import { CertflowError, ValidationError } from '../errors.js';

const EC_CURVES: Record<number, string> = { 256: 'prime256v1', 384: 'secp384r1', 521: 'secp521r1' };

/**
 * A new private key as PEM. RSA: PKCS1 → `RSA PRIVATE KEY`, PKCS8 → `PRIVATE KEY`; ECDSA: PKCS1 →
 * SEC1 `EC PRIVATE KEY`, PKCS8 → `PRIVATE KEY`; Ed25519 is always PKCS#8 (it has no PKCS#1 form,
 * and cert-manager does the same).
 *
 * @throws ValidationError for a size the algorithm does not allow.
 */
export async function generatePrivateKey(spec: PrivateKeySpec): Promise<string> {
  const key = await generate(spec);
  if (spec.algorithm === 'Ed25519' || spec.encoding === 'PKCS8') {
    return pem(key.export({ type: 'pkcs8', format: 'pem' }));
  }
  return pem(key.export({ type: spec.algorithm === 'RSA' ? 'pkcs1' : 'sec1', format: 'pem' }));
}

/**
 * Algorithm and size of a PEM private key (PKCS#1, SEC1 or PKCS#8), in `PrivateKeySpec` terms,
 * so that a stored key can be checked against the spec before it is reused.
 *
 * @throws CertflowError when the PEM does not parse or holds a key type certflow does not issue.
 */
export function describePrivateKey(privateKeyPem: string): KeyDescription {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (error) {
    throw new CertflowError('keys: cannot parse private key', { cause: error });
  }
  return describeKey(key);
}

function generate(spec: PrivateKeySpec): Promise<KeyObject> {
  const allowed = Object.hasOwn(ALLOWED_KEY_SIZES, spec.algorithm) ? ALLOWED_KEY_SIZES[spec.algorithm] : undefined;
  if (!allowed) {
    return Promise.reject(
      new ValidationError('privateKey.algorithm', `unsupported algorithm ${String(spec.algorithm)}`),
    );
  }
  if (spec.algorithm !== 'Ed25519' && !allowed.includes(spec.size)) {
    const sizes = allowed.join(', ');
    return Promise.reject(
      new ValidationError('privateKey.size', `${spec.algorithm} keys must be ${sizes} bits, not ${spec.size}`),
    );
  }
  return new Promise((resolve, reject) => {
    // The async form runs on libuv's thread pool, so an RSA 4096 key (about a second) does not
    // block the event loop.
    const done = (error: Error | null, _publicKey: KeyObject, privateKey: KeyObject): void => {
      if (error) reject(new CertflowError(`keys: ${spec.algorithm} key generation failed`, { cause: error }));
      else resolve(privateKey);
    };
    switch (spec.algorithm) {
      case 'RSA':
        generateKeyPair('rsa', { modulusLength: spec.size, publicExponent: 0x10001 }, done);
        break;
      case 'ECDSA':
        generateKeyPair('ec', { namedCurve: EC_CURVES[spec.size] ?? '' }, done);
        break;
      case 'Ed25519':
        generateKeyPair('ed25519', undefined, done);
        break;
    }
  });
}

/** `KeyObject.export` types PEM as `string | Buffer`; with `format: 'pem'` it is always a string. */
function pem(value: string | Buffer): string {
  return typeof value === 'string' ? value : value.toString('utf8');
}
