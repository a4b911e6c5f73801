import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { endpointFromStack } from '../../cli/lib/stack-endpoint.js';

const cfn = mockClient(CloudFormationClient);

describe('Function: endpointFromStack', () => {
  beforeEach(() => cfn.reset());

  it("reads the API endpoint from the stack's ApiUrl output", async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'Certflow' }).resolves({
      Stacks: [
        {
          StackName: 'Certflow',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'ApiUrl', OutputValue: 'https://abc.execute-api.eu-west-1.amazonaws.com/v1/' }],
        },
      ],
    });
    assert.equal(await endpointFromStack('Certflow'), 'https://abc.execute-api.eu-west-1.amazonaws.com/v1/');
  });

  it('says so when the stack has no ApiUrl output', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'Other', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }],
    });
    await assert.rejects(endpointFromStack('Other'), /stack Other has no ApiUrl output/);
  });
});
