import { DnsCnameResolver } from '../../solvers/adapters/dns-cname-resolver.js';
import { lazy } from './config.js';

/** CNAME look-ups through the Lambda's resolver (public DNS), for `cnameStrategy: Follow`. */
export const cnameResolver = lazy(() => new DnsCnameResolver());
