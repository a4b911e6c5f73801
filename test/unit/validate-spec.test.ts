import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../shared/errors.js';
import type { CertificateSpec } from '../../shared/domain/spec.js';
import { specsEqual, validateSpec } from '../../shared/domain/validate-spec.js';

const BASE = { name: 'web', issuerRef: { name: 'letsencrypt' }, dnsNames: ['example.com'] };

/** The base spec with some fields replaced; an `undefined` value removes the field. */
function spec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...BASE, ...overrides };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}

function names(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `host${i}.example.com`);
}

function assertRejects(input: unknown, field: string, message: RegExp): void {
  assert.throws(
    () => validateSpec(input),
    (error: unknown) => {
      assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
      assert.equal(error.field, field);
      assert.match(error.message, message);
      return true;
    },
  );
}

describe('Function: validateSpec', () => {
  describe('defaults', () => {
    const result = validateSpec(BASE);

    it('defaults the private key to ECDSA P-256, PKCS1, rotated always', () => {
      assert.deepEqual(result.privateKey, {
        algorithm: 'ECDSA',
        size: 256,
        encoding: 'PKCS1',
        rotationPolicy: 'Always',
      });
    });

    it('defaults the duration to 2160h', () => {
      assert.equal(result.duration, '2160h');
    });

    it('defaults usages to digital signature and key encipherment', () => {
      assert.deepEqual(result.usages, ['digital signature', 'key encipherment']);
    });

    it('defaults the lists to empty and isCA to false', () => {
      assert.deepEqual(
        [
          result.ipAddresses,
          result.uris,
          result.emailAddresses,
          result.targets,
          result.additionalOutputFormats,
          result.isCA,
        ],
        [[], [], [], [], [], false],
      );
    });

    it('omits absent optional fields instead of setting them to undefined', () => {
      for (const key of ['commonName', 'subject', 'renewBefore', 'renewBeforePercentage', 'secretTemplate']) {
        assert.equal(Object.hasOwn(result, key), false, key);
      }
    });

    it('survives a JSON round trip unchanged', () => {
      assert.deepEqual(JSON.parse(JSON.stringify(result)), result);
    });

    it('treats null fields as absent', () => {
      assert.deepEqual(validateSpec(spec({ commonName: null, privateKey: null, usages: null })), result);
    });

    it('treats an empty usages list as the default', () => {
      assert.deepEqual(validateSpec(spec({ usages: [] })).usages, ['digital signature', 'key encipherment']);
    });

    it('defaults an RSA key to 2048 bits', () => {
      assert.equal(validateSpec(spec({ privateKey: { algorithm: 'RSA' } })).privateKey.size, 2048);
    });

    it('defaults an Ed25519 key to size 0 and PKCS8', () => {
      const { privateKey } = validateSpec(spec({ privateKey: { algorithm: 'Ed25519' } }));
      assert.deepEqual([privateKey.size, privateKey.encoding], [0, 'PKCS8']);
    });
  });

  describe('accepted specs', () => {
    it('accepts a wildcard together with its apex and lower-cases them', () => {
      assert.deepEqual(validateSpec(spec({ dnsNames: ['*.Example.com', 'EXAMPLE.com'] })).dnsNames, [
        '*.example.com',
        'example.com',
      ]);
    });

    it('accepts RSA 4096', () => {
      assert.equal(
        validateSpec(spec({ privateKey: { algorithm: 'RSA', size: 4096, encoding: 'PKCS8' } })).privateKey.size,
        4096,
      );
    });

    it('accepts exactly MAX_SANS names', () => {
      assert.equal(
        validateSpec(spec({ dnsNames: names(60), ipAddresses: Array.from({ length: 40 }, (_, i) => `10.0.0.${i}`) }))
          .dnsNames.length,
        60,
      );
    });

    const good: [string, Record<string, unknown>][] = [
      ['a commonName alone', { dnsNames: undefined, commonName: 'My Service' }],
      ['an IP address alone', { dnsNames: undefined, ipAddresses: ['10.0.0.1', '2001:db8::1'] }],
      ['a SPIFFE URI alone', { dnsNames: undefined, uris: ['spiffe://cluster.local/ns/a/sa/b'] }],
      ['an email address alone', { dnsNames: undefined, emailAddresses: ['ops+tls@example.com'] }],
      [
        'a 253-character DNS name',
        { dnsNames: [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`] },
      ],
      ['the shortest duration, 5m', { duration: '5m' }],
      ['the longest duration, 100 years', { duration: '876000h' }],
      ['a compound duration with renewBefore', { duration: '1h30m', renewBefore: '30m' }],
      ['renewBeforePercentage alone', { renewBeforePercentage: 66 }],
      ['ECDSA P-521', { privateKey: { algorithm: 'ECDSA', size: 521 } }],
      [
        'Ed25519 with size 0 and PKCS8',
        { privateKey: { algorithm: 'Ed25519', size: 0, encoding: 'PKCS8', rotationPolicy: 'Never' } },
      ],
      ['a CA with its usages', { isCA: true, usages: ['cert sign', 'crl sign', 'digital signature'] }],
      ['a full subject', { subject: { organizations: ['Acme'], countries: ['FR'], serialNumber: '42' } }],
      [
        'a secret template',
        {
          secretTemplate: {
            labels: { 'app.kubernetes.io/name': 'web', empty: '' },
            annotations: { note: 'any text: ok!' },
          },
        },
      ],
      [
        'targets and output formats',
        {
          targets: [
            { cluster: 'prod-eu_1', namespace: 'default', secretName: 'web-tls' },
            { cluster: 'prod-eu_1', namespace: 'istio-system', secretName: 'web-tls' },
          ],
          additionalOutputFormats: [{ type: 'CombinedPEM' }, { type: 'DER' }],
        },
      ],
    ];
    for (const [what, overrides] of good) {
      it(`accepts ${what} and returns it unchanged by a second pass`, () => {
        const result = validateSpec(spec(overrides));
        assert.deepEqual(validateSpec(JSON.parse(JSON.stringify(result))), result);
      });
    }

    it('keeps a label named "constructor" as plain data', () => {
      const result = validateSpec(spec({ secretTemplate: { labels: JSON.parse('{"constructor": "x"}') } }));
      assert.deepEqual(JSON.parse(JSON.stringify(result.secretTemplate)), { labels: { constructor: 'x' } });
    });

    it('returns a fresh object that later changes to the input do not reach', () => {
      const input = spec({ dnsNames: ['example.com'], secretTemplate: { labels: { a: 'b' } } });
      const result = validateSpec(input);
      (input.dnsNames as string[]).push('other.com');
      (input.secretTemplate as { labels: Record<string, string> }).labels.a = 'changed';
      assert.deepEqual([result.dnsNames, result.secretTemplate?.labels?.a], [['example.com'], 'b']);
    });
  });

  describe('rejected specs', () => {
    const long = (n: number) => 'a'.repeat(n);
    const bad: [string, unknown, string, RegExp][] = [
      ['a string', 'web', 'spec', /must be an object/],
      ['an array', [BASE], 'spec', /must be an object/],
      ['null', null, 'spec', /must be an object/],
      ['an unknown field', spec({ dnsname: ['example.com'] }), 'spec', /unknown field "dnsname"/],
      [
        'a __proto__ field',
        JSON.parse('{"__proto__": {"isCA": true}, "name": "web"}'),
        'spec',
        /unknown field "__proto__"/,
      ],
      ['a constructor field', spec({ constructor: {} }), 'spec', /unknown field "constructor"/],
      ['a missing name', spec({ name: undefined }), 'name', /is required/],
      ['a non-string name', spec({ name: 5 }), 'name', /must be a string/],
      ['an upper-case name', spec({ name: 'Web' }), 'name', /"Web" must be 1–63 lowercase/],
      ['a name starting with a hyphen', spec({ name: '-web' }), 'name', /lowercase/],
      ['a 64-character name', spec({ name: long(64) }), 'name', /1–63/],
      ['a missing issuerRef', spec({ issuerRef: undefined }), 'issuerRef', /is required/],
      ['a string issuerRef', spec({ issuerRef: 'le' }), 'issuerRef', /must be an object/],
      ['an issuerRef without name', spec({ issuerRef: {} }), 'issuerRef.name', /is required/],
      ['an empty issuerRef name', spec({ issuerRef: { name: '' } }), 'issuerRef.name', /lowercase/],
      [
        'an issuerRef kind',
        spec({ issuerRef: { name: 'le', kind: 'ClusterIssuer' } }),
        'issuerRef',
        /unknown field "kind"/,
      ],
      ['a string dnsNames', spec({ dnsNames: 'example.com' }), 'dnsNames', /must be an array of strings/],
      ['a number in dnsNames', spec({ dnsNames: ['a.com', 5] }), 'dnsNames[1]', /must be a string/],
      [
        'a double wildcard',
        spec({ dnsNames: ['a.com', 'b.com', '*.*.example.com'] }),
        'dnsNames[2]',
        /"\*\.\*\.example\.com" is not a valid DNS name/,
      ],
      ['an inner wildcard', spec({ dnsNames: ['a.*.example.com'] }), 'dnsNames[0]', /not a valid DNS name/],
      [
        'an all-numeric top-level label',
        spec({ dnsNames: ['a.com', '1.2.3'] }),
        'dnsNames[1]',
        /^dnsNames\[1\]: "1\.2\.3" ends in an all-numeric label \("3"\), which no CA issues for$/,
      ],
      [
        'an all-numeric top-level label after a wildcard',
        spec({ dnsNames: ['*.999.1.1.1'] }),
        'dnsNames[0]',
        /all-numeric label \("1"\)/,
      ],
      ['a partial wildcard', spec({ dnsNames: ['*example.com'] }), 'dnsNames[0]', /not a valid DNS name/],
      [
        'an IP address among the DNS names',
        spec({ dnsNames: ['192.0.2.1'] }),
        'dnsNames[0]',
        /is an IP address: put it in ipAddresses/,
      ],
      [
        'a bidirectional override in a name',
        spec({ commonName: 'abc\u202edef' }),
        'commonName',
        /bidirectional control/,
      ],
      ['a lone surrogate', spec({ commonName: 'a\ud800b' }), 'commonName', /well-formed Unicode/],
      ['a bare wildcard', spec({ dnsNames: ['*'] }), 'dnsNames[0]', /not a valid DNS name/],
      ['a trailing dot', spec({ dnsNames: ['example.com.'] }), 'dnsNames[0]', /not a valid DNS name/],
      ['a label starting with a hyphen', spec({ dnsNames: ['-a.example.com'] }), 'dnsNames[0]', /not a valid DNS name/],
      ['an underscore', spec({ dnsNames: ['_acme.example.com'] }), 'dnsNames[0]', /not a valid DNS name/],
      ['a 64-character label', spec({ dnsNames: [`${long(64)}.com`] }), 'dnsNames[0]', /not a valid DNS name/],
      [
        'a 254-character name',
        spec({ dnsNames: [`${long(63)}.${long(63)}.${long(63)}.${long(62)}`] }),
        'dnsNames[0]',
        /not a valid DNS name/,
      ],
      [
        'a duplicate DNS name in another case',
        spec({ dnsNames: ['Example.com', 'example.COM'] }),
        'dnsNames[1]',
        /duplicate of dnsNames\[0\]/,
      ],
      [
        'a bad IPv4 address',
        spec({ ipAddresses: ['10.0.0.1', '300.1.1.1'] }),
        'ipAddresses[1]',
        /"300\.1\.1\.1" is not a valid IP address/,
      ],
      ['an IPv6 zone id', spec({ ipAddresses: ['fe80::1%eth0'] }), 'ipAddresses[0]', /not a valid IP address/],
      [
        'two spellings of one IPv6 address',
        spec({ ipAddresses: ['::1', '0:0::1'] }),
        'ipAddresses[1]',
        /duplicate of ipAddresses\[0\]/,
      ],
      ['a relative URI', spec({ uris: ['/just/a/path'] }), 'uris[0]', /not an absolute URI/],
      ['a URI with spaces', spec({ uris: ['urn:a b'] }), 'uris[0]', /not an absolute URI/],
      ['a duplicate URI', spec({ uris: ['urn:x', 'urn:x'] }), 'uris[1]', /duplicate of uris\[0\]/],
      [
        'an email without domain',
        spec({ emailAddresses: ['nobody'] }),
        'emailAddresses[0]',
        /not a valid email address/,
      ],
      [
        'an email with a bad domain',
        spec({ emailAddresses: ['a@-bad.com'] }),
        'emailAddresses[0]',
        /not a valid email address/,
      ],
      ['a duplicate email', spec({ emailAddresses: ['a@X.com', 'a@x.com'] }), 'emailAddresses[1]', /duplicate/],
      ['no names at all', spec({ dnsNames: [] }), 'dnsNames', /at least one of/],
      ['101 DNS names', spec({ dnsNames: names(101) }), 'dnsNames', /at most 100/],
      ['101 names across kinds', spec({ dnsNames: names(100), uris: ['urn:x'] }), 'dnsNames', /at most 100/],
      ['an empty commonName', spec({ commonName: '' }), 'commonName', /1–64 characters/],
      ['a 65-character commonName', spec({ commonName: long(65) }), 'commonName', /1–64 characters/],
      ['a string subject', spec({ subject: 'O=Acme' }), 'subject', /must be an object/],
      ['a Date as subject', spec({ subject: new Date() }), 'subject', /must be a plain object/],
      [
        'an unknown subject field',
        spec({ subject: { organization: ['Acme'] } }),
        'subject',
        /unknown field "organization"/,
      ],
      [
        'a string subject list',
        spec({ subject: { organizations: 'Acme' } }),
        'subject.organizations',
        /must be an array of strings/,
      ],
      [
        'a number in a subject list',
        spec({ subject: { countries: ['FR', 33] } }),
        'subject.countries[1]',
        /must be a string/,
      ],
      ['a numeric serialNumber', spec({ subject: { serialNumber: 42 } }), 'subject.serialNumber', /must be a string/],
      ['a numeric duration', spec({ duration: 2160 }), 'duration', /must be a string/],
      ['a duration in days', spec({ duration: '90d' }), 'duration', /unknown unit "d"/],
      ['a duration under 5m', spec({ duration: '4m59s' }), 'duration', /at least 5m/],
      ['a negative duration', spec({ duration: '-1h' }), 'duration', /at least 5m/],
      ['a duration over 100 years', spec({ duration: '876001h' }), 'duration', /at most 100 years/],
      ['a zero renewBefore', spec({ renewBefore: '0s' }), 'renewBefore', /greater than 0/],
      [
        'a renewBefore as long as the duration',
        spec({ duration: '24h', renewBefore: '1440m' }),
        'renewBefore',
        /shorter than duration \(24h\)/,
      ],
      ['an unparsable renewBefore', spec({ renewBefore: 'soon' }), 'renewBefore', /invalid duration "soon"/],
      [
        'both renewal settings',
        spec({ renewBefore: '720h', renewBeforePercentage: 30 }),
        'renewBeforePercentage',
        /cannot be set together with renewBefore/,
      ],
      ['a zero percentage', spec({ renewBeforePercentage: 0 }), 'renewBeforePercentage', /between 1 and 99/],
      ['a 100 percentage', spec({ renewBeforePercentage: 100 }), 'renewBeforePercentage', /between 1 and 99/],
      ['a fractional percentage', spec({ renewBeforePercentage: 50.5 }), 'renewBeforePercentage', /must be an integer/],
      ['a string percentage', spec({ renewBeforePercentage: '50' }), 'renewBeforePercentage', /must be an integer/],
      ['a string privateKey', spec({ privateKey: 'RSA' }), 'privateKey', /must be an object/],
      [
        'an unknown privateKey field',
        spec({ privateKey: { algorithm: 'RSA', bits: 2048 } }),
        'privateKey',
        /unknown field "bits"/,
      ],
      [
        'an unknown algorithm',
        spec({ privateKey: { algorithm: 'DSA' } }),
        'privateKey.algorithm',
        /must be one of RSA, ECDSA, Ed25519/,
      ],
      [
        'RSA 1024',
        spec({ privateKey: { algorithm: 'RSA', size: 1024 } }),
        'privateKey.size',
        /must be one of 2048, 3072, 4096 for RSA/,
      ],
      [
        'an RSA size for ECDSA',
        spec({ privateKey: { size: 2048 } }),
        'privateKey.size',
        /must be one of 256, 384, 521 for ECDSA/,
      ],
      [
        'a size for Ed25519',
        spec({ privateKey: { algorithm: 'Ed25519', size: 256 } }),
        'privateKey.size',
        /absent or 0 for Ed25519/,
      ],
      ['a string size', spec({ privateKey: { size: '256' } }), 'privateKey.size', /must be an integer/],
      [
        'Ed25519 with PKCS1',
        spec({ privateKey: { algorithm: 'Ed25519', encoding: 'PKCS1' } }),
        'privateKey.encoding',
        /must be PKCS8 for Ed25519/,
      ],
      [
        'an unknown encoding',
        spec({ privateKey: { encoding: 'DER' } }),
        'privateKey.encoding',
        /must be one of PKCS1, PKCS8/,
      ],
      [
        'an unknown rotationPolicy',
        spec({ privateKey: { rotationPolicy: 'Sometimes' } }),
        'privateKey.rotationPolicy',
        /must be one of Always, Never/,
      ],
      ['a string usages', spec({ usages: 'server auth' }), 'usages', /must be an array of strings/],
      [
        'an unknown usage',
        spec({ usages: ['server auth', 'flying'] }),
        'usages[1]',
        /"flying" is not a known key usage/,
      ],
      [
        'a duplicate usage',
        spec({ usages: ['server auth', 'client auth', 'server auth'] }),
        'usages[2]',
        /duplicate of usages\[0\]/,
      ],
      ['a string isCA', spec({ isCA: 'true' }), 'isCA', /must be a boolean/],
      ['a string secretTemplate', spec({ secretTemplate: 'x' }), 'secretTemplate', /must be an object/],
      [
        'an unknown secretTemplate field',
        spec({ secretTemplate: { label: {} } }),
        'secretTemplate',
        /unknown field "label"/,
      ],
      ['an array of labels', spec({ secretTemplate: { labels: ['a'] } }), 'secretTemplate.labels', /must be an object/],
      [
        'a bad label key',
        spec({ secretTemplate: { labels: { 'bad key!': 'x' } } }),
        'secretTemplate.labels["bad key!"]',
        /not a valid label key/,
      ],
      [
        'a bad label key prefix',
        spec({ secretTemplate: { labels: { 'Example.com/a': 'x' } } }),
        'secretTemplate.labels["Example.com/a"]',
        /not a valid label key/,
      ],
      [
        'a 64-character label value',
        spec({ secretTemplate: { labels: { app: long(64) } } }),
        'secretTemplate.labels["app"]',
        /not a valid label value/,
      ],
      [
        'a label value with a space',
        spec({ secretTemplate: { labels: { app: 'my app' } } }),
        'secretTemplate.labels["app"]',
        /not a valid label value/,
      ],
      [
        'a numeric label value',
        spec({ secretTemplate: { labels: { app: 5 } } }),
        'secretTemplate.labels["app"]',
        /must be a string/,
      ],
      [
        'a cert-manager.io label',
        spec({ secretTemplate: { labels: { 'cert-manager.io/x': 'y' } } }),
        'secretTemplate.labels["cert-manager.io/x"]',
        /reserved/,
      ],
      [
        'an acme.cert-manager.io annotation',
        spec({ secretTemplate: { annotations: { 'acme.cert-manager.io/x': 'y' } } }),
        'secretTemplate.annotations["acme.cert-manager.io/x"]',
        /reserved/,
      ],
      [
        'a certflow.io annotation',
        spec({ secretTemplate: { annotations: { 'certflow.io/owner': 'me' } } }),
        'secretTemplate.annotations["certflow.io/owner"]',
        /reserved/,
      ],
      ['a string targets', spec({ targets: 'prod' }), 'targets', /must be an array of objects/],
      ['a string target', spec({ targets: ['prod'] }), 'targets[0]', /must be an object/],
      [
        'a target without secretName',
        spec({ targets: [{ cluster: 'prod', namespace: 'default' }] }),
        'targets[0].secretName',
        /is required/,
      ],
      [
        'a target with an unknown field',
        spec({ targets: [{ cluster: 'prod', namespace: 'default', secretName: 'tls', region: 'eu' }] }),
        'targets[0]',
        /unknown field "region"/,
      ],
      [
        'an empty cluster',
        spec({ targets: [{ cluster: '', namespace: 'default', secretName: 'tls' }] }),
        'targets[0].cluster',
        /1–100 letters/,
      ],
      [
        'a cluster with a space',
        spec({ targets: [{ cluster: 'prod eu', namespace: 'default', secretName: 'tls' }] }),
        'targets[0].cluster',
        /1–100 letters/,
      ],
      [
        'a 101-character cluster',
        spec({ targets: [{ cluster: long(101), namespace: 'default', secretName: 'tls' }] }),
        'targets[0].cluster',
        /1–100 letters/,
      ],
      [
        'an upper-case namespace',
        spec({ targets: [{ cluster: 'prod', namespace: 'Default', secretName: 'tls' }] }),
        'targets[0].namespace',
        /not a valid namespace/,
      ],
      [
        'a dotted namespace',
        spec({ targets: [{ cluster: 'prod', namespace: 'a.b', secretName: 'tls' }] }),
        'targets[0].namespace',
        /not a valid namespace/,
      ],
      [
        'a bad secretName',
        spec({ targets: [{ cluster: 'prod', namespace: 'default', secretName: 'Web_TLS' }] }),
        'targets[0].secretName',
        /not a valid secret name/,
      ],
      [
        'a duplicate target',
        spec({
          targets: [
            { cluster: 'a', namespace: 'b', secretName: 'c' },
            { cluster: 'a', namespace: 'b', secretName: 'c' },
          ],
        }),
        'targets[1]',
        /duplicate of targets\[0\]/,
      ],
      [
        'an unknown output format',
        spec({ additionalOutputFormats: [{ type: 'PFX' }] }),
        'additionalOutputFormats[0].type',
        /must be one of CombinedPEM, DER/,
      ],
      [
        'an output format without type',
        spec({ additionalOutputFormats: [{}] }),
        'additionalOutputFormats[0].type',
        /is required/,
      ],
      [
        'an output format with a password',
        spec({ additionalOutputFormats: [{ type: 'DER', password: 'x' }] }),
        'additionalOutputFormats[0]',
        /unknown field "password"/,
      ],
      [
        'a duplicate output format',
        spec({ additionalOutputFormats: [{ type: 'DER' }, { type: 'DER' }] }),
        'additionalOutputFormats[1]',
        /duplicate/,
      ],
      ['a NUL in commonName', spec({ commonName: 'a\u0000b' }), 'commonName', /control characters/],
      ['a newline in name', spec({ name: 'web\n' }), 'name', /control characters/],
      ['a BEL in a DNS name', spec({ dnsNames: ['exa\u0007mple.com'] }), 'dnsNames[0]', /control characters/],
      [
        'a DEL in a subject list',
        spec({ subject: { organizations: ['Acme\u007f'] } }),
        'subject.organizations[0]',
        /control characters/,
      ],
      [
        'a newline in an annotation',
        spec({ secretTemplate: { annotations: { note: 'a\nb' } } }),
        'secretTemplate.annotations["note"]',
        /control characters/,
      ],
      ['a 5000-character commonName', spec({ commonName: long(5000) }), 'commonName', /at most 4096 characters/],
      ['a 5000-character URI', spec({ uris: [`https://x/${long(5000)}`] }), 'uris[0]', /at most 4096 characters/],
      [
        'a 5000-character annotation',
        spec({ secretTemplate: { annotations: { note: long(5000) } } }),
        'secretTemplate.annotations["note"]',
        /at most 4096 characters/,
      ],
    ];
    for (const [what, input, field, message] of bad) {
      it(`rejects ${what}, naming ${field}`, () => assertRejects(input, field, message));
    }

    it('leaves Object.prototype alone when given a __proto__ payload', () => {
      assert.throws(
        () => validateSpec(JSON.parse('{"name": "web", "__proto__": {"polluted": true}}')),
        ValidationError,
      );
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  });

  describe('random malformed input', () => {
    const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
    const randomString = (): string =>
      pick([
        '',
        'x',
        'Example.com',
        '*.*.a.com',
        '-',
        '10.0.0.1',
        '::1',
        'urn:x',
        'a@b.com',
        '2160h',
        '5m',
        'RSA',
        'Ed25519',
        'PKCS8',
        'DER',
        '__proto__',
        'constructor',
        'a\u0000',
        'é',
        '\u{1F600}',
        'a'.repeat(5000),
        String.fromCharCode(Math.floor(Math.random() * 0xffff)),
      ]);
    const randomValue = (depth: number): unknown => {
      const kind = Math.floor(Math.random() * (depth > 2 ? 7 : 11));
      switch (kind) {
        case 0:
          return null;
        case 1:
          return undefined;
        case 2:
          return Math.random() < 0.5;
        case 3:
          return pick([0, -1, 1.5, 256, 2048, NaN, Infinity, 1e300]);
        case 4:
        case 5:
        case 6:
          return randomString();
        case 7:
          return Array.from({ length: Math.floor(Math.random() * 4) }, () => randomValue(depth + 1));
        case 8:
          return pick([new Date(0), Object.create(null), () => 1, Symbol('s'), 10n, new Map()]);
        default:
          return Object.fromEntries(
            Array.from({ length: Math.floor(Math.random() * 4) }, () => [randomString(), randomValue(depth + 1)]),
          );
      }
    };
    const full = {
      ...BASE,
      commonName: 'web',
      subject: { organizations: ['Acme'] },
      duration: '24h',
      renewBefore: '8h',
      privateKey: { algorithm: 'RSA', size: 2048 },
      usages: ['server auth'],
      isCA: false,
      secretTemplate: { labels: { a: 'b' } },
      targets: [{ cluster: 'c', namespace: 'n', secretName: 's' }],
      additionalOutputFormats: [{ type: 'DER' }],
    };
    /** The full spec with one value, at any depth, replaced by a random one. */
    const mutate = (): unknown => {
      const copy = structuredClone(full) as Record<string, unknown>;
      let target: Record<string, unknown> = copy;
      for (;;) {
        const key = Math.random() < 0.1 ? randomString() : pick(Object.keys(target));
        const next = target[key];
        if (typeof next === 'object' && next !== null && Math.random() < 0.6) {
          target = next as Record<string, unknown>;
          continue;
        }
        target[key] = randomValue(0);
        return copy;
      }
    };

    it('only ever throws ValidationErrors naming a field, and its successes round-trip', () => {
      for (let i = 0; i < 500; i++) {
        const input = i % 5 === 0 ? randomValue(0) : mutate();
        let result: CertificateSpec;
        try {
          result = validateSpec(input);
        } catch (error) {
          assert.ok(error instanceof ValidationError, `input ${i} threw ${String(error)}`);
          assert.ok(error.field.length > 0);
          continue;
        }
        assert.ok(
          specsEqual(validateSpec(JSON.parse(JSON.stringify(result))), result),
          `input ${i} did not round-trip`,
        );
      }
    });
  });
});

describe('Function: specsEqual', () => {
  const a = validateSpec(spec({ secretTemplate: { labels: { x: '1', y: '2' } } }));

  it('finds a spec equal to itself re-validated with map keys in another order', () => {
    assert.equal(specsEqual(a, validateSpec(spec({ secretTemplate: { labels: { y: '2', x: '1' } } }))), true);
  });

  it('finds defaults spelled out equal to defaults left out', () => {
    const explicit = validateSpec(
      spec({ duration: '2160h', privateKey: { algorithm: 'ECDSA', size: 256 }, isCA: false }),
    );
    assert.equal(specsEqual(validateSpec(BASE), explicit), true);
  });

  it('sees a changed duration', () => {
    assert.equal(specsEqual(validateSpec(BASE), validateSpec(spec({ duration: '720h' }))), false);
  });

  it('sees reordered DNS names as a change', () => {
    const one = validateSpec(spec({ dnsNames: ['a.com', 'b.com'] }));
    assert.equal(specsEqual(one, validateSpec(spec({ dnsNames: ['b.com', 'a.com'] }))), false);
  });

  it('sees an added optional field', () => {
    assert.equal(specsEqual(validateSpec(BASE), validateSpec(spec({ commonName: 'web' }))), false);
  });
});
