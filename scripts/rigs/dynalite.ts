/**
 * An in-process DynamoDB (dynalite, in memory) on loopback, for tests that need real conditional
 * writes, real index queries and real request validation rather than a mocked client.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  INVENTORY_INDEX,
  INVENTORY_TABLE,
  INVENTORY_TIME_INDEXES,
} from '../../shared/adapters/aws/dynamodb-inventory.js';
import { SLOT_TABLE_KEY } from '../../shared/solvers/adapters/dynamodb-slot-book.js';

interface DynaliteOptions {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

// dynalite ships no type declarations, and a `declare module` would need a file of its own:
// loading it through require keeps its one call typed here.
const dynalite = createRequire(import.meta.url)('dynalite') as (options?: DynaliteOptions) => Server;

/** A running dynalite and a client pointed at it. */
export interface Dynalite {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  client: DynamoDBClient;
  /** Creates a table shaped like the CDK inventory table (key, index) and waits until it is ACTIVE. */
  createInventoryTable(name: string): Promise<void>;
  /** Creates a table shaped like the CDK request slots table (infra/constructs/request-slots.ts). */
  createSlotTable(name: string): Promise<void>;
  /** Closes the client, then the server and its store. */
  close(): Promise<void>;
}

/**
 * The input that creates the inventory table as `infra/constructs/inventory-table.ts` declares
 * it, built from the same constants.
 */
export function inventoryTableInput(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: INVENTORY_TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: INVENTORY_INDEX.partitionKey, AttributeType: 'S' },
      ...(INVENTORY_INDEX.sortKey === INVENTORY_TABLE.partitionKey
        ? []
        : [{ AttributeName: INVENTORY_INDEX.sortKey, AttributeType: 'S' as const }]),
      ...Object.values(INVENTORY_TIME_INDEXES).map((i) => ({ AttributeName: i.sortKey, AttributeType: 'S' as const })),
    ],
    KeySchema: [{ AttributeName: INVENTORY_TABLE.partitionKey, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: INVENTORY_INDEX.name,
        KeySchema: [
          { AttributeName: INVENTORY_INDEX.partitionKey, KeyType: 'HASH' },
          { AttributeName: INVENTORY_INDEX.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      ...Object.values(INVENTORY_TIME_INDEXES).map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      })),
    ],
  };
}

/** Starts dynalite on 127.0.0.1 with an ephemeral port; tables become ACTIVE at once. */
export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTESTTESTTESTTEST', secretAccessKey: 'test-secret-not-a-real-one' },
    // A wrong answer must fail the test at once, not after the SDK's backoff.
    maxAttempts: 1,
  });

  return {
    endpoint,
    client,
    async createInventoryTable(name) {
      await client.send(new CreateTableCommand(inventoryTableInput(name)));
      // The SDK waiter only looks at the table; a Query on a CREATING index fails, so check both.
      for (let attempt = 0; attempt < 200; attempt++) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
        const indexes = Table?.GlobalSecondaryIndexes ?? [];
        if (Table?.TableStatus === 'ACTIVE' && indexes.every((index) => index.IndexStatus === 'ACTIVE')) return;
        await sleep(10);
      }
      throw new Error(`dynalite: table ${name} did not become ACTIVE`);
    },
    async createSlotTable(name) {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: SLOT_TABLE_KEY, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: SLOT_TABLE_KEY, KeyType: 'HASH' }],
        }),
      );
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
