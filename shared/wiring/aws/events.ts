import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '../../adapters/aws/eventbridge-publisher.js';
import { awsConfig, lazy } from './config.js';

/** Certificate events on the deployment's event bus. */
export const eventPublisher = lazy(
  () => new EventBridgePublisher({ client: new EventBridgeClient({}), eventBusName: awsConfig().eventBusName }),
);
