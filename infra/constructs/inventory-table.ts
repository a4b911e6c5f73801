import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  INVENTORY_INDEX,
  INVENTORY_TABLE,
  INVENTORY_TIME_INDEXES,
} from '../../shared/adapters/aws/dynamodb-inventory.js';

/**
 * The inventory: one item per certificate (spec, status, conditions, events), on demand, with the
 * index the adapter lists through. Key names come from the adapter so the two cannot drift.
 */
export class InventoryTable extends Construct {
  readonly table: dynamodb.Table;
  readonly #key: kms.IKey;

  constructor(scope: Construct, id: string, props: { key: kms.IKey }) {
    super(scope, id);
    this.#key = props.key;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: INVENTORY_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // ALL: a page of the list is served from the index alone, with no GetItem per record.
    this.table.addGlobalSecondaryIndex({
      indexName: INVENTORY_INDEX.name,
      partitionKey: { name: INVENTORY_INDEX.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: INVENTORY_INDEX.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    // Sparse time indexes: the sweep reads only what is due or expiring.
    for (const index of Object.values(INVENTORY_TIME_INDEXES)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }

  /** Lets `grantee` read what is due or expiring: Query on the time indexes, and nothing else. */
  grantSweep(grantee: iam.IGrantable): iam.Grant {
    this.#key.grantDecrypt(grantee);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: Object.values(INVENTORY_TIME_INDEXES).map((index) => `${this.table.tableArn}/index/${index.name}`),
    });
  }

  /**
   * Lets `grantee` get, put and delete items, on the table only. Unlike `table.grantReadWriteData`,
   * it grants nothing on `index/*`, a wildcard that steps which never list have no use for.
   */
  grantItemReadWrite(grantee: iam.IGrantable): iam.Grant {
    this.#key.grantEncryptDecrypt(grantee);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      resourceArns: [this.table.tableArn],
    });
  }

  /** Lets `grantee` list certificates: Query on the listing index, and nothing else. */
  grantList(grantee: iam.IGrantable): iam.Grant {
    this.#key.grantDecrypt(grantee);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: [`${this.table.tableArn}/index/${INVENTORY_INDEX.name}`],
    });
  }
}
