import { type ApiGatewayProxyEvent, fromApiGatewayEvent, toApiGatewayResult } from '../shared/api/api-gateway.js';
import { handleApiRequest } from '../shared/api/router.js';
import { systemClock } from '../shared/ports/clock.js';
import { awsConfig } from '../shared/wiring/aws/config.js';
import { issuanceStarter, revoker } from '../shared/wiring/aws/executions.js';
import { inventory } from '../shared/wiring/aws/inventory.js';
import { renewalScheduler } from '../shared/wiring/aws/scheduler.js';
import { stepHandler } from '../shared/wiring/index.js';

/** The HTTP API behind API Gateway (see shared/api/router.ts). */
export const handler = stepHandler(
  async (event: ApiGatewayProxyEvent, deps: Parameters<typeof handleApiRequest>[1]) =>
    toApiGatewayResult(await handleApiRequest(fromApiGatewayEvent(event), deps)),
  () => ({
    issuers: awsConfig().issuers,
    inventory: inventory(),
    clock: systemClock,
    issuance: issuanceStarter(),
    revoker: revoker(),
    scheduler: renewalScheduler(),
  }),
);
