import { EKSClient } from '@aws-sdk/client-eks';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EksClusterDirectory, eksConnector } from '../../adapters/aws/eks-cluster-directory.js';
import { EksTokenSigner } from '../../adapters/aws/eks-token.js';
import { SqsDeliveryQueue } from '../../adapters/aws/sqs-delivery-queue.js';
import { KubernetesSecretWriter } from '../../adapters/kubernetes/secret-writer.js';
import { requireEnv } from '../environment.js';
import { lazy } from './config.js';

/**
 * Secrets in EKS clusters of this region: endpoint and CA from DescribeCluster (cached for the
 * container), tokens signed with the function role's own credentials.
 */
export const clusterSecretWriter = lazy(() => {
  const eks = new EKSClient({});
  const tokens = new EksTokenSigner({ region: requireEnv('AWS_REGION'), credentials: eks.config.credentials });
  return new KubernetesSecretWriter({ connector: eksConnector(new EksClusterDirectory({ client: eks }), tokens) });
});

/** The sync's queue and its dead-letter queue. */
export const deliveryQueue = lazy(
  () =>
    new SqsDeliveryQueue({
      client: new SQSClient({}),
      queueUrl: requireEnv('CERTFLOW_DELIVERY_QUEUE_URL'),
      deadLetterQueueUrl: requireEnv('CERTFLOW_DELIVERY_DLQ_URL'),
    }),
);
