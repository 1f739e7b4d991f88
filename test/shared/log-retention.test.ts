import * as logs from 'aws-cdk-lib/aws-logs';
import { logRetention } from '../../lib/shared/log-retention';

describe('logRetention', () => {
  test('a period CloudWatch Logs accepts maps to its enum value', () => {
    expect(logRetention(90, 'network.flowLogRetentionDays')).toBe(logs.RetentionDays.THREE_MONTHS);
  });

  test('any other period names the field and the accepted values', () => {
    expect(() => logRetention(10, 'network.flowLogRetentionDays')).toThrow(
      /^network\.flowLogRetentionDays: CloudWatch Logs cannot keep logs for 10 days; use one of 1, 3, 5, 7, 14, 30,/,
    );
  });
});
