/**
 * `--stack NAME`: the API endpoint from a deployed stack's `ApiUrl` output, read with the
 * default AWS credential chain (so `cdk deploy` output need not be copied by hand).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

export const API_URL_OUTPUT = 'ApiUrl';

export async function endpointFromStack(
  stackName: string,
  options: { region?: string; client?: CloudFormationClient } = {},
): Promise<string> {
  const client = options.client ?? new CloudFormationClient(options.region ? { region: options.region } : {});
  const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const url = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === API_URL_OUTPUT)?.OutputValue;
  if (!url) throw new Error(`stack ${stackName} has no ${API_URL_OUTPUT} output: is it a certflow stack?`);
  return url;
}
