/**
 * {@link SlotBook} on a DynamoDB item per budget: `{ key, next }`, `next` being the time (ms since
 * epoch) at which the next slot is free. Two conditional updates, no read: the idle case takes
 * `now` when nothing is booked past it; the busy case adds one interval to `next`. The idle
 * condition fails only when the schedule is busy, and the busy one only when it is full, so a
 * booking settles in one or two writes even when hundreds of functions book at once, and slots
 * never come closer than one interval.
 */
import { type AttributeValue, type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Booking, SlotBook } from '../request-pacing.js';
import { StoreError, TransientError } from '../../errors.js';
import { translateAwsError } from '../../adapters/aws/aws-errors.js';

/** The table's key attribute, as `infra/constructs/request-slots.ts` declares it. */
export const SLOT_TABLE_KEY = 'key';

export class DynamoDbSlotBook implements SlotBook {
  constructor(private readonly options: { client: DynamoDBClient; tableName: string }) {}

  async reserve(key: string, now: number, intervalMs: number, latest: number): Promise<Booking> {
    // Idle: nothing is booked past `now`, so the slot is `now`.
    const idle = await this.update(key, 'SET #next = :slotEnd', '(attribute_not_exists(#next) OR #next <= :now)', {
      ':now': { N: String(now) },
      ':slotEnd': { N: String(now + intervalMs) },
    });
    if (idle.updated) return { at: now };
    if (idle.next > latest) return { bookedUntil: idle.next };
    // Busy: the slot is the current `next`, if it is not too far. `next` only ever grows, and it
    // was past `now` a moment ago, so this condition can fail only because it grew past `latest`.
    const busy = await this.update(key, 'SET #next = #next + :interval', '#next > :now AND #next <= :latest', {
      ':now': { N: String(now) },
      ':latest': { N: String(latest) },
      ':interval': { N: String(intervalMs) },
    });
    if (busy.updated) return { at: busy.next - intervalMs };
    if (busy.next > latest) return { bookedUntil: busy.next };
    // Only if the item vanished in between (the table was recreated): book again from the start.
    throw new TransientError(`dynamodb: the slots of "${key}" changed while booking; trying again`);
  }

  /** One conditional update; on a failed condition, the item's current `next`. */
  private async update(
    key: string,
    expression: string,
    condition: string,
    values: Record<string, AttributeValue>,
  ): Promise<{ updated: boolean; next: number }> {
    try {
      const out = await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { [SLOT_TABLE_KEY]: { S: key } },
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#next': 'next' },
          ExpressionAttributeValues: values,
          ReturnValues: 'UPDATED_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { updated: true, next: Number(out.Attributes?.['next']?.N) };
    } catch (error) {
      if ((error as { name?: string } | null)?.name !== 'ConditionalCheckFailedException') {
        throw translateAwsError('dynamodb', `booking a slot of "${key}"`, error, StoreError);
      }
      const old = (error as { Item?: Record<string, AttributeValue> }).Item ?? (await this.read(key));
      return { updated: false, next: Number(old?.['next']?.N ?? 0) };
    }
  }

  /** For stores that do not return the item with a failed condition. */
  private async read(key: string): Promise<Record<string, AttributeValue> | undefined> {
    try {
      const out = await this.options.client.send(
        new GetItemCommand({
          TableName: this.options.tableName,
          Key: { [SLOT_TABLE_KEY]: { S: key } },
          ConsistentRead: true,
        }),
      );
      return out.Item;
    } catch (error) {
      throw translateAwsError('dynamodb', `reading the slots of "${key}"`, error, StoreError);
    }
  }
}
