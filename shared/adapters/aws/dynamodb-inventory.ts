/**
 * The certificate inventory in DynamoDB, with the low-level client only (lib-dynamodb and its
 * marshaller would add to every bundle). The record travels as one JSON string attribute; the
 * few attributes that conditions and future indexes need are copied out next to it.
 */
import {
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { type CertflowError, ConflictError, StoreError } from '../../errors.js';
import { translateAwsError } from './aws-errors.js';
import type { CertificateRecord } from '../../domain/record.js';
import type { Inventory } from '../../pipeline/ports.js';

/** Options of {@link DynamoDbInventory}. */
export interface DynamoDbInventoryOptions {
  client: DynamoDBClient;
  /** Table with partition key `name` (S). */
  tableName: string;
}

/** Translates a DynamoDB failure (conditional failures are handled by the caller). */
function dynamoDbError(action: string, error: unknown): CertflowError {
  return translateAwsError('dynamodb', action, error, StoreError, [
    'TransactionConflictException',
    'ReplicatedWriteConflictException',
  ]);
}

function parseItem(item: Record<string, AttributeValue>): CertificateRecord {
  const name = item['name']?.S ?? '?';
  const json = item['record']?.S;
  if (json === undefined) throw new StoreError(`dynamodb: item "${name}" has no record attribute`);
  try {
    return JSON.parse(json) as CertificateRecord;
  } catch {
    throw new StoreError(`dynamodb: item "${name}" holds a malformed record`);
  }
}

/** {@link Inventory} on a DynamoDB table keyed by certificate name, with optimistic concurrency on `version`. */
export class DynamoDbInventory implements Inventory {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: DynamoDbInventoryOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async get(name: string): Promise<CertificateRecord | undefined> {
    try {
      const output = await this.#client.send(
        new GetItemCommand({ TableName: this.#tableName, Key: { name: { S: name } }, ConsistentRead: true }),
      );
      return output.Item ? parseItem(output.Item) : undefined;
    } catch (error) {
      throw dynamoDbError(`reading certificate "${name}"`, error);
    }
  }

  /**
   * Writes `record` if the stored version is `expectedVersion` (0: absent). The stored version is
   * always `expectedVersion + 1`, whatever `record.version` says, so two writers that started
   * from one version can never both succeed; callers should pass `version: expectedVersion + 1`
   * so that their copy matches. `record` itself is not modified.
   */
  async put(record: CertificateRecord, expectedVersion: number): Promise<void> {
    const stored: CertificateRecord = { ...record, version: expectedVersion + 1 };
    const item: Record<string, AttributeValue> = {
      name: { S: record.name },
      version: { N: String(stored.version) },
      record: { S: JSON.stringify(stored) },
    };
    if (record.status.notAfter) item['notAfter'] = { S: record.status.notAfter };
    if (record.status.renewalTime) item['renewalTime'] = { S: record.status.renewalTime };

    const input: PutItemCommandInput =
      expectedVersion === 0
        ? {
            TableName: this.#tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(#n)',
            ExpressionAttributeNames: { '#n': 'name' },
          }
        : {
            TableName: this.#tableName,
            Item: item,
            ConditionExpression: '#v = :expected',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
          };
    try {
      await this.#client.send(new PutItemCommand(input));
    } catch (error) {
      if ((error as { name?: string } | null)?.name === 'ConditionalCheckFailedException') {
        throw new ConflictError(`dynamodb: certificate "${record.name}" was changed by someone else`);
      }
      throw dynamoDbError(`writing certificate "${record.name}"`, error);
    }
  }

  /**
   * Every certificate, through a paginated Scan with strongly consistent reads. Acceptable only
   * while no scheduled path calls it: the API issue replaces it with a Query on an index.
   */
  async list(): Promise<CertificateRecord[]> {
    const records: CertificateRecord[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      let output;
      try {
        output = await this.#client.send(
          new ScanCommand({ TableName: this.#tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
        );
      } catch (error) {
        throw dynamoDbError('listing certificates', error);
      }
      for (const item of output.Items ?? []) records.push(parseItem(item));
      startKey = output.LastEvaluatedKey;
    } while (startKey);
    return records.sort((a, b) => a.name.localeCompare(b.name));
  }
}
