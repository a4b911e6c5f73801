/**
 * Scale benchmark of the daily sweep (not a test): 100,000 certificates in a DynamoDB table whose
 * client is mocked, answering Query on the time indexes from sorted arrays with DynamoDB's paging
 * (Limit, 1 MB pages, ExclusiveStartKey, LastEvaluatedKey). The real adapters run on top:
 * DynamoDbInventory, StepFunctionsIssuanceStarter and EventBridgePublisher.
 *
 *   node --import ./scripts/register.mjs scripts/bench-sweep.ts
 *
 * It shows that the sweep's cost follows the due certificates, not the inventory.
 */
import { type AttributeValue, DynamoDBClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { LocalRenewalScheduler } from '../shared/local/scheduler.js';

// Quiet: ten thousand starts would otherwise print ten thousand log lines and EMF documents.
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const { DynamoDbInventory, INVENTORY_TIME_INDEXES } = await import('../shared/adapters/aws/dynamodb-inventory.js');
const { StepFunctionsIssuanceStarter } = await import('../shared/adapters/aws/step-functions-issuance-starter.js');
const { EventBridgePublisher } = await import('../shared/adapters/aws/eventbridge-publisher.js');
const { sweep } = await import('../shared/renewal/sweep.js');

const TOTAL = 100_000;
const EXPIRING = 10;
const DUE_COUNTS = [0, 100, 1_000, 10_000];
const NOW = new Date('2026-06-01T00:00:00.000Z');
const DAY = 86_400_000;
const PAGE_BYTES = 1024 * 1024;

interface Row {
  name: string;
  sortKey: string;
  item: Record<string, AttributeValue>;
  bytes: number;
}

/** The inventory's items: `due` with a due time in the last hours, the rest due in 1–60 days. */
function inventory(due: number): Record<string, Row[]> {
  const byDue: Row[] = [];
  const byNotAfter: Row[] = [];
  for (let i = 0; i < TOTAL; i++) {
    const name = `cert-${String(i).padStart(6, '0')}`;
    const renewal = i < due ? NOW.getTime() - (1 + (i % 600)) * 60_000 : NOW.getTime() + (1 + (i % 60)) * DAY;
    const notAfter = i >= TOTAL - EXPIRING ? NOW.getTime() + 5 * DAY : renewal + 30 * DAY;
    const status = {
      conditions: [
        { type: 'Ready', status: 'True', reason: 'Ready', message: 'ok', lastTransitionTime: '2026-03-01T00:00:00Z' },
      ],
      notBefore: new Date(notAfter - 90 * DAY).toISOString(),
      notAfter: new Date(notAfter).toISOString(),
      renewalTime: new Date(renewal).toISOString(),
      serialNumber: `0${i.toString(16)}`,
      secretArn: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:certflow/certificates/${name}-AbCdEf`,
      revision: 1,
      failedIssuanceAttempts: 0,
    };
    const record = {
      name,
      spec: { name, issuerRef: { name: 'letsencrypt' }, dnsNames: [`${name}.example.com`, `www.${name}.example.com`] },
      revision: 1,
      version: 3,
      status,
      events: [],
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-03-01T00:00:00.000Z',
    };
    const json = JSON.stringify(record);
    const item: Record<string, AttributeValue> = {
      name: { S: name },
      kind: { S: 'certificate' },
      record: { S: json },
      dueTime: { S: status.renewalTime },
      notAfter: { S: status.notAfter },
    };
    const bytes = json.length + 120;
    byDue.push({ name, sortKey: status.renewalTime, item, bytes });
    byNotAfter.push({ name, sortKey: status.notAfter, item, bytes });
  }
  const order = (a: Row, b: Row) =>
    a.sortKey === b.sortKey ? Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)) : a.sortKey < b.sortKey ? -1 : 1;
  return {
    [INVENTORY_TIME_INDEXES.due.name]: byDue.sort(order),
    [INVENTORY_TIME_INDEXES.expiry.name]: byNotAfter.sort(order),
  };
}

/** First position after `(sortKey, name)` in a sorted index: a binary search, as a B-tree seek. */
function seek(rows: Row[], after: { sortKey: string; name: string } | undefined): number {
  if (!after) return 0;
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    const row = rows[mid]!;
    const before =
      row.sortKey < after.sortKey ||
      (row.sortKey === after.sortKey && Buffer.compare(Buffer.from(row.name), Buffer.from(after.name)) <= 0);
    if (before) low = mid + 1;
    else high = mid;
  }
  return low;
}

async function run(due: number) {
  const indexes = inventory(due);
  const dynamodb = mockClient(DynamoDBClient);
  const sfn = mockClient(SFNClient);
  const eventbridge = mockClient(EventBridgeClient);
  let readUnits = 0;
  dynamodb.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    const rows = indexes[input.IndexName!];
    if (!rows) throw new Error(`bench: query on ${input.IndexName}, not a time index (a Scan or list would be a bug)`);
    const sortKey = input.ExpressionAttributeNames!['#t']!;
    const before = input.ExpressionAttributeValues![':before']!.S!;
    const start = input.ExclusiveStartKey;
    let i = seek(rows, start ? { sortKey: start[sortKey]!.S!, name: start['name']!.S! } : undefined);
    const items: Record<string, AttributeValue>[] = [];
    let bytes = 0;
    let last: Row | undefined;
    // DynamoDB stops at Limit items or 1 MB, and then returns the last key even if nothing follows.
    while (i < rows.length && rows[i]!.sortKey <= before && items.length < input.Limit! && bytes < PAGE_BYTES) {
      last = rows[i++]!;
      items.push(last.item);
      bytes += last.bytes;
    }
    readUnits += Math.max(1, Math.ceil(bytes / 4096)) * 0.5;
    const full = items.length === input.Limit || bytes >= PAGE_BYTES;
    return {
      Items: items,
      ...(full && last
        ? { LastEvaluatedKey: { kind: { S: 'certificate' }, [sortKey]: { S: last.sortKey }, name: { S: last.name } } }
        : {}),
    };
  });
  sfn.on(StartExecutionCommand).callsFake((input) => ({ executionArn: `arn:execution:${input.name}`, startDate: NOW }));
  eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });

  const deps = {
    inventory: new DynamoDbInventory({ client: new DynamoDBClient({ region: 'eu-west-1' }), tableName: 'certflow' }),
    issuance: new StepFunctionsIssuanceStarter({
      client: new SFNClient({ region: 'eu-west-1' }),
      stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:certflow',
    }),
    events: new EventBridgePublisher({ client: new EventBridgeClient({ region: 'eu-west-1' }) }),
    clock: { now: () => NOW },
    scheduler: new LocalRenewalScheduler(),
    // Nothing is abandoned in this inventory: the port is never called.
    abandoned: {
      restart: async () => {
        throw new Error('bench: nothing is abandoned');
      },
      removeLeftovers: async () => ({ removed: 0, failed: 0 }),
    },
  };
  const started = performance.now();
  const report = await sweep(deps, { expiryWarningDays: 20 });
  const ms = performance.now() - started;
  const calls = {
    query: dynamodb.commandCalls(QueryCommand).length,
    start: sfn.commandCalls(StartExecutionCommand).length,
    put: eventbridge.commandCalls(PutEventsCommand).length,
  };
  dynamodb.restore();
  sfn.restore();
  eventbridge.restore();
  return { due, report, calls, readUnits, ms };
}

const rows: string[] = [];
for (const due of DUE_COUNTS) {
  const { report, calls, readUnits, ms } = await run(due);
  if (report.started !== due) throw new Error(`bench: ${due} due, ${report.started} started`);
  rows.push(
    `| ${due.toLocaleString('en')} | ${calls.query} | ${report.recordsRead.toLocaleString('en')} | ${readUnits} | ${calls.start.toLocaleString('en')} | ${calls.put} | ${Math.round(ms).toLocaleString('en')} ms |`,
  );
}
console.log(
  `Sweep over ${TOTAL.toLocaleString('en')} certificates (${EXPIRING} expiring within 20 days), DynamoDB mocked:\n`,
);
console.log('| due | Query calls | items read | read units | StartExecution calls | PutEvents calls | time |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) console.log(row);
console.log(`\nA Scan of the table would read all ${TOTAL.toLocaleString('en')} items every day, whatever is due.`);
