/**
 * The configurations the infra tests synthesize, the default first: IAM, acknowledgements and
 * resources depend on the configuration (Route53 in this account or not, hooks, EAB, delivery in
 * a VPC), so the checks of stack.test.ts and nag.test.ts run on each. `route53Writes`: some
 * function of this account writes Route53 records itself.
 */
import { type CertflowConfig, loadConfig } from '../../infra/config/certflow-config.js';

export const ZONE_ID = 'Z0123456789ABC';
export const SERVER = 'https://acme.test/dir';
export const CROSS_ACCOUNT_SOLVER = {
  dns01: {
    route53: { hostedZoneId: 'ZOTHER', roleArn: 'arn:aws:iam::111122223333:role/certflow-dns01', externalId: 'x' },
  },
};
export const HOOK_SOLVERS = [
  { dns01: { hook: { functionName: 'arn:aws:lambda:eu-west-1:111122223333:function:dns-hook:live' } } },
  { dns01: { hook: { functionName: 'acme-dns-hook' } } },
];
export const EAB = {
  keyId: 'kid',
  hmacKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:zerossl-eab-AbCdEf',
};
export const DELIVERY = {
  clusters: [
    { name: 'prod-eu', namespaces: ['shop', 'web'] },
    { name: 'edge', namespaces: ['ingress'], access: 'editPolicy' },
    { name: 'legacy', namespaces: ['default'], access: 'none' },
  ],
  pullAccess: [
    {
      certificate: 'web',
      oidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789',
      serviceAccount: 'shop/frontend',
    },
  ],
  vpc: { subnetIds: ['subnet-0123abcd', 'subnet-4567ef01'], securityGroupIds: ['sg-0a1b2c3d'] },
};

/**
 * The configurations the infra tests synthesize (as in stack.test.ts), the default first: the
 * acknowledgements depend on the configuration (Route53 in this account or not, hooks, EAB,
 * delivery in a VPC), so each is checked on its own.
 */
export const INFRA_CONFIGS: { name: string; config: () => CertflowConfig; route53Writes: boolean }[] = [
  { name: 'default (ambient Route53)', route53Writes: true, config: () => loadConfig({}) },
  {
    name: 'every solver names its zone',
    route53Writes: true,
    config: () =>
      loadConfig({
        issuers: [
          {
            kind: 'acme',
            name: 'letsencrypt',
            server: 'https://acme-v02.api.letsencrypt.org/directory',
            email: 'ops@example.com',
            solvers: [{ dns01: { route53: { hostedZoneId: ZONE_ID } } }],
          },
        ],
      }),
  },
  {
    name: 'cross-account Route53 role',
    route53Writes: false,
    config: () =>
      loadConfig({ issuers: [{ kind: 'acme', name: 'le', server: SERVER, solvers: [CROSS_ACCOUNT_SOLVER] }] }),
  },
  {
    name: 'DNS hook solver',
    route53Writes: false,
    config: () =>
      loadConfig({
        issuers: [
          { kind: 'acme', name: 'a', server: SERVER, solvers: [HOOK_SOLVERS[1]!] },
          { kind: 'acme', name: 'b', server: SERVER, solvers: HOOK_SOLVERS },
        ],
      }),
  },
  { name: 'ZeroSSL with External Account Binding', route53Writes: true, config: () => loadConfig({ zerossl: EAB }) },
  { name: 'EKS delivery', route53Writes: true, config: () => loadConfig({ delivery: DELIVERY }) },
  {
    name: 'all of them together',
    route53Writes: true,
    config: () =>
      loadConfig({
        issuers: [
          { kind: 'acme', name: 'ambient', server: SERVER, solvers: [{ dns01: { route53: {} } }] },
          {
            kind: 'acme',
            name: 'scoped',
            server: SERVER,
            solvers: [{ dns01: { route53: { hostedZoneId: ZONE_ID } } }],
          },
          { kind: 'acme', name: 'cross', server: SERVER, solvers: [CROSS_ACCOUNT_SOLVER] },
          { kind: 'acme', name: 'hook', server: SERVER, solvers: HOOK_SOLVERS },
          {
            kind: 'acme',
            name: 'zerossl',
            server: SERVER,
            externalAccountBinding: EAB,
            solvers: [{ dns01: { route53: {} } }],
          },
          { kind: 'selfSigned', name: 'self' },
          { kind: 'ca', name: 'internal', certificateName: 'internal-ca' },
        ],
        alerts: { email: 'ops@example.com', expiryWarningDays: 25 },
        delivery: DELIVERY,
        route53: { requestsPerSecond: 2 },
      }),
  },
];
