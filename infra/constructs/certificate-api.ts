/**
 * The HTTP API: API Gateway REST with IAM (SigV4) auth on every method, the `api` function behind
 * it, and the `revoke` function it calls (kept apart so the API stays free of acme-client).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { IssuerConfig } from '../../shared/issuers/registry.js';
import { acknowledgeApi, acknowledgeInvoke } from './nag.js';
import type { CertificateStorage } from './certificate-storage.js';
import type { InventoryTable } from './inventory-table.js';
import { certflowFunction } from './certflow-function.js';

/** The API function's timeout: below API Gateway's 29 s integration timeout. */
export const API_TIMEOUT_SECONDS = 25;

export interface CertificateApiProps {
  issuers: readonly IssuerConfig[];
  storage: CertificateStorage;
  inventory: InventoryTable;
  stateMachine: sfn.IStateMachine;
}

export class CertificateApi extends Construct {
  readonly api: apigw.RestApi;
  readonly handler: lambda.IFunction;
  readonly revoker: lambda.IFunction;

  constructor(scope: Construct, id: string, props: CertificateApiProps) {
    super(scope, id);
    const common = { issuers: props.issuers, storage: props.storage, inventory: props.inventory };
    this.revoker = certflowFunction(this, 'Revoke', {
      ...common,
      file: 'revoke',
      description: 'certflow: revokes a certificate at its CA',
      grants: { acme: true, secrets: 'read', inventory: true },
    });
    this.handler = certflowFunction(this, 'Handler', {
      ...common,
      file: 'api',
      description: 'certflow: the certificate API',
      // Under API Gateway's 29 s integration timeout (API Gateway quotas, REST APIs), so the
      // function never runs on after the caller got a 504.
      grants: { inventory: true, inventoryList: true, timeoutSeconds: API_TIMEOUT_SECONDS },
      environment: {
        CERTFLOW_STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
        CERTFLOW_REVOKE_FUNCTION: this.revoker.functionName,
      },
    });
    props.stateMachine.grantStartExecution(this.handler);
    this.revoker.grantInvoke(this.handler);
    acknowledgeInvoke(this.handler, this.revoker);

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: 'certflow',
      description: 'certflow: request, read, renew and delete certificates',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
      deployOptions: {
        stageName: 'v1',
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Request bodies are certificate specs, never keys; still, nothing of them is logged.
        dataTraceEnabled: false,
        tracingEnabled: true,
        throttlingRateLimit: 50,
        throttlingBurstLimit: 100,
      },
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
    });
    const validateBody = new apigw.RequestValidator(this, 'BodyValidator', {
      restApi: this.api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const validateParameters = new apigw.RequestValidator(this, 'ParameterValidator', {
      restApi: this.api,
      validateRequestBody: false,
      validateRequestParameters: true,
    });
    // The gateway checks the outline; the handler validates every field and names it.
    const specModel = this.api.addModel('CertificateSpec', {
      contentType: 'application/json',
      schema: {
        schema: apigw.JsonSchemaVersion.DRAFT4,
        type: apigw.JsonSchemaType.OBJECT,
        required: ['name', 'issuerRef'],
        properties: {
          name: { type: apigw.JsonSchemaType.STRING, maxLength: 63 },
          issuerRef: { type: apigw.JsonSchemaType.OBJECT },
        },
      },
    });
    const integration = new apigw.LambdaIntegration(this.handler);
    const certificates = this.api.root.addResource('certificates');
    certificates.addMethod('POST', integration, {
      requestValidator: validateBody,
      requestModels: { 'application/json': specModel },
    });
    certificates.addMethod('GET', integration, {
      requestValidator: validateParameters,
      requestParameters: { 'method.request.querystring.limit': false, 'method.request.querystring.nextToken': false },
    });
    const one = certificates.addResource('{name}');
    const byName = { 'method.request.path.name': true };
    one.addMethod('GET', integration, { requestValidator: validateParameters, requestParameters: byName });
    one.addMethod('DELETE', integration, {
      requestValidator: validateParameters,
      requestParameters: { ...byName, 'method.request.querystring.revoke': false },
    });
    one
      .addResource('events')
      .addMethod('GET', integration, { requestValidator: validateParameters, requestParameters: byName });
    one
      .addResource('renew')
      .addMethod('POST', integration, { requestValidator: validateParameters, requestParameters: byName });
    acknowledgeApi(this.api);
  }
}
