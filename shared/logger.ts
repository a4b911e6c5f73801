/**
 * The one logger of every Lambda and of local mode. Steps log references (names, URLs, ids),
 * never key material: nothing that reaches a log line may come from the certificate store.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'certflow' });
