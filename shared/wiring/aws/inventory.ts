import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbInventory } from '../../adapters/aws/dynamodb-inventory.js';
import { awsConfig, lazy } from './config.js';

/** The DynamoDB inventory of this deployment. */
export const inventory = lazy(
  () => new DynamoDbInventory({ client: new DynamoDBClient({}), tableName: awsConfig().tableName }),
);
