/**
 * The shared request budgets (shared/solvers/request-pacing.ts): one tiny item per rate-limited API
 * and account, holding when its next request slot is free. Every function that calls Route53
 * books a slot here before each request, so all executions together stay under Route53's
 * five requests per second, however many run at once and whatever started them.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { SLOT_TABLE_KEY } from '../../shared/solvers/adapters/dynamodb-slot-book.js';

export class RequestSlots extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: SLOT_TABLE_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // Nothing here outlives a burst of renewals: a lost table is recreated empty, harmlessly.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /** Lets `grantee` book slots: UpdateItem (and GetItem) on this table's items, nothing else. */
  grantBook(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, 'dynamodb:UpdateItem', 'dynamodb:GetItem');
  }
}
