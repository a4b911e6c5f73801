import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { CertflowConfig } from './config.js';
import { CertificateApi } from './constructs/certificate-api.js';
import { CertificateStorage } from './constructs/certificate-storage.js';
import { InventoryTable } from './constructs/inventory-table.js';
import { IssuanceStateMachine } from './constructs/issuance-state-machine.js';
import { PipelineFunctions } from './constructs/pipeline-functions.js';
import { acknowledgeStateMachine } from './nag.js';

export interface CertflowStackProps extends StackProps {
  config: CertflowConfig;
}

/** certflow: storage, inventory, the pipeline's functions and the issuance state machine. */
export class CertflowStack extends Stack {
  readonly issuance: IssuanceStateMachine;
  readonly api: CertificateApi;

  constructor(scope: Construct, id: string, props: CertflowStackProps) {
    super(scope, id, props);
    const storage = new CertificateStorage(this, 'Storage', { secretPrefix: props.config.secretPrefix });
    const inventory = new InventoryTable(this, 'Inventory', { key: storage.key });
    const pipeline = new PipelineFunctions(this, 'Pipeline', {
      issuers: props.config.issuers,
      storage,
      inventory,
    });
    this.issuance = new IssuanceStateMachine(this, 'Issuance', { functions: pipeline.functions });
    this.api = new CertificateApi(this, 'Api', {
      issuers: props.config.issuers,
      storage,
      inventory,
      stateMachine: this.issuance.stateMachine,
    });

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.api.url,
      description: 'certflow API (IAM auth); certflow --endpoint <this>',
    });
    new CfnOutput(this, 'StateMachineArn', { value: this.issuance.stateMachine.stateMachineArn });
    new CfnOutput(this, 'InventoryTableName', { value: inventory.table.tableName });
    new CfnOutput(this, 'KmsKeyArn', { value: storage.key.keyArn });
    acknowledgeStateMachine(this.issuance.stateMachine, Object.values(pipeline.functions));
  }
}
