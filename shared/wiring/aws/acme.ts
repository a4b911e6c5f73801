import { AcmeClientGateway } from '../../issuers/acme/acme-client-gateway.js';
import { lazy } from './config.js';
import { accountKeyStore, secretReader } from './secrets.js';

/** acme-client, with account keys from Secrets Manager. */
export const acmeGateway = lazy(() => new AcmeClientGateway(accountKeyStore(), secretReader()));
