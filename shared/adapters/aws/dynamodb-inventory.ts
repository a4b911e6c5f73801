/**
 * The certificate inventory in DynamoDB, with the low-level client only (lib-dynamodb and its
 * marshaller would add to every bundle). The record travels as one JSON string attribute; the
 * few attributes that conditions and indexes need are copied out next to it.
 */
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
  type DynamoDBClient,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { type CertflowError, ConflictError, StoreError, ValidationError } from '../../errors.js';
import { LIST_LIMIT, decodePageToken, encodePageToken, listLimit } from '../../inventory/page-token.js';
import { indexDueTime } from '../../certificates/renewal-policy.js';
import { translateAwsError } from './aws-errors.js';
import type { CertificateRecord } from '../../domain/record.js';
import type { Inventory } from '../../ports/inventory.js';

/** The table's key: one item per certificate, keyed by its name (S). */
export const INVENTORY_TABLE = { partitionKey: 'name' } as const;

/**
 * The global secondary index that lists certificates in name order. Every item carries
 * `kind: certificate`, so the whole inventory is one index partition sorted by `name`: a Query
 * on it pages through every certificate without a Scan. Shared with the CDK construct and tests.
 */
export const INVENTORY_INDEX = {
  name: 'byName',
  partitionKey: 'kind',
  sortKey: 'name',
  kind: 'certificate',
} as const;

/**
 * Sparse indexes in time order, in the same single `kind` partition: `due` holds certificates with
 * a due time (renewal, or retry after a failure), `expiry` those with a certificate. The sweep
 * reads only what is due or expiring, so its cost grows with those, not with the inventory.
 */
export const INVENTORY_TIME_INDEXES = {
  due: { name: 'byDueTime', partitionKey: 'kind', sortKey: 'dueTime' },
  expiry: { name: 'byNotAfter', partitionKey: 'kind', sortKey: 'notAfter' },
} as const;

/** Page sizes of {@link Inventory.list}: the one rule of shared/inventory/page-token.ts. */
export const INVENTORY_LIST_LIMIT = LIST_LIMIT;

/** Options of {@link DynamoDbInventory}. */
export interface DynamoDbInventoryOptions {
  client: DynamoDBClient;
  /** Table with partition key `name` (S) and the {@link INVENTORY_INDEX} index. */
  tableName: string;
}

/** Translates a DynamoDB failure (conditional failures are handled by the caller). */
function dynamoDbError(action: string, error: unknown): CertflowError {
  return translateAwsError('dynamodb', action, error, StoreError, [
    'TransactionConflictException',
    'ReplicatedWriteConflictException',
  ]);
}

function isConditionalCheckFailure(error: unknown): error is { Item?: Record<string, AttributeValue> } {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
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

/**
 * The start key of a Query on the index: the index keys plus the table key. A name alone
 * suffices because the index sorts on the table key itself, so a name is a unique position.
 */
function startKeyAfter(name: string): Record<string, AttributeValue> {
  const key: Record<string, AttributeValue> = { [INVENTORY_INDEX.partitionKey]: { S: INVENTORY_INDEX.kind } };
  key[INVENTORY_INDEX.sortKey] = { S: name };
  key[INVENTORY_TABLE.partitionKey] = { S: name };
  return key;
}

/**
 * {@link Inventory} on a DynamoDB table keyed by certificate name, with optimistic concurrency on
 * `version` and listing through the {@link INVENTORY_INDEX} index.
 */
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
        new GetItemCommand({
          TableName: this.#tableName,
          Key: { [INVENTORY_TABLE.partitionKey]: { S: name } },
          ConsistentRead: true,
        }),
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
      [INVENTORY_TABLE.partitionKey]: { S: record.name },
      [INVENTORY_INDEX.partitionKey]: { S: INVENTORY_INDEX.kind },
      version: { N: String(stored.version) },
      record: { S: JSON.stringify(stored) },
    };
    // Sparse on purpose: only certificates that have them will appear in indexes on them.
    if (record.status.notAfter) item['notAfter'] = { S: record.status.notAfter };
    if (record.status.renewalTime) item['renewalTime'] = { S: record.status.renewalTime };
    const due = indexDueTime(record.status);
    if (due) item[INVENTORY_TIME_INDEXES.due.sortKey] = { S: due };

    const input: PutItemCommandInput =
      expectedVersion === 0
        ? {
            TableName: this.#tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(#n)',
            ExpressionAttributeNames: { '#n': INVENTORY_TABLE.partitionKey },
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
      if (isConditionalCheckFailure(error)) {
        throw new ConflictError(`dynamodb: certificate "${record.name}" was changed by someone else`);
      }
      throw dynamoDbError(`writing certificate "${record.name}"`, error);
    }
  }

  /**
   * Deletes the record if its stored version is `expectedVersion`. When the condition fails, the
   * record either changed (`ConflictError`) or is already gone (nothing to do).
   */
  async delete(name: string, expectedVersion: number): Promise<void> {
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#tableName,
          Key: { [INVENTORY_TABLE.partitionKey]: { S: name } },
          ConditionExpression: '#v = :expected',
          ExpressionAttributeNames: { '#v': 'version' },
          ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
          // Saves a read in AWS; emulators that ignore it fall back to the GetItem below.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw dynamoDbError(`deleting certificate "${name}"`, error);
      if (error.Item !== undefined || (await this.get(name)) !== undefined) {
        throw new ConflictError(`dynamodb: certificate "${name}" was changed by someone else`);
      }
    }
  }

  /**
   * One page of certificates in name order: a Query on the {@link INVENTORY_INDEX} index, whose
   * reads are eventually consistent (a write may take a moment to show). A page may hold fewer
   * than `limit` records, even none, while more follow: only a missing `nextToken` means the end.
   */
  async list(options: { limit?: number; nextToken?: string } = {}): Promise<{
    items: CertificateRecord[];
    nextToken?: string;
  }> {
    const limit = listLimit(options.limit);
    const after = options.nextToken === undefined ? undefined : decodePageToken(options.nextToken).after;
    let output;
    try {
      output = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: INVENTORY_INDEX.name,
          KeyConditionExpression: '#k = :kind',
          ExpressionAttributeNames: { '#k': INVENTORY_INDEX.partitionKey },
          ExpressionAttributeValues: { ':kind': { S: INVENTORY_INDEX.kind } },
          Limit: limit,
          ExclusiveStartKey: after === undefined ? undefined : startKeyAfter(after),
        }),
      );
    } catch (error) {
      throw dynamoDbError('listing certificates', error);
    }
    const items = (output.Items ?? []).map(parseItem);
    const lastName = output.LastEvaluatedKey?.[INVENTORY_INDEX.sortKey]?.S;
    return lastName === undefined ? { items } : { items, nextToken: encodePageToken({ after: lastName }) };
  }

  listDue(before: Date, options: { limit?: number; nextToken?: string } = {}) {
    return this.#queryUntil(INVENTORY_TIME_INDEXES.due, before, options, 'listing due certificates');
  }

  listExpiring(before: Date, options: { limit?: number; nextToken?: string } = {}) {
    return this.#queryUntil(INVENTORY_TIME_INDEXES.expiry, before, options, 'listing expiring certificates');
  }

  /** Earliest first, up to `before`: a Query on a time index, paged like {@link list}. */
  async #queryUntil(
    index: (typeof INVENTORY_TIME_INDEXES)[keyof typeof INVENTORY_TIME_INDEXES],
    before: Date,
    options: { limit?: number; nextToken?: string },
    doing: string,
  ): Promise<{ items: CertificateRecord[]; nextToken?: string }> {
    const limit = listLimit(options.limit);
    const token = options.nextToken === undefined ? undefined : decodePageToken(options.nextToken);
    if (token && token.at === undefined) throw new ValidationError('nextToken', 'is not a valid page token');
    let output;
    try {
      output = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: index.name,
          KeyConditionExpression: '#k = :kind AND #t <= :before',
          ExpressionAttributeNames: { '#k': index.partitionKey, '#t': index.sortKey },
          ExpressionAttributeValues: { ':kind': { S: INVENTORY_INDEX.kind }, ':before': { S: before.toISOString() } },
          Limit: limit,
          ExclusiveStartKey: token
            ? {
                [index.partitionKey]: { S: INVENTORY_INDEX.kind },
                [index.sortKey]: { S: token.at! },
                [INVENTORY_TABLE.partitionKey]: { S: token.after },
              }
            : undefined,
        }),
      );
    } catch (error) {
      throw dynamoDbError(doing, error);
    }
    const items = (output.Items ?? []).map(parseItem);
    const last = output.LastEvaluatedKey;
    const lastName = last?.[INVENTORY_TABLE.partitionKey]?.S;
    const lastAt = last?.[index.sortKey]?.S;
    return lastName === undefined || lastAt === undefined
      ? { items }
      : { items, nextToken: encodePageToken({ after: lastName, at: lastAt }) };
  }
}
