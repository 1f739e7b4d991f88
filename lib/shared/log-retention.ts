import * as logs from 'aws-cdk-lib/aws-logs';

/** The retention periods CloudWatch Logs accepts, in days (infinite retention is never used). */
const ALLOWED_DAYS: readonly number[] = Object.values(logs.RetentionDays).filter(
  (v): v is number => typeof v === 'number' && v !== logs.RetentionDays.INFINITE,
);

/**
 * Turns a profile's retention in days into the CloudWatch Logs enum, or throws naming the profile
 * field and the values CloudWatch accepts (the profile schema only bounds the range).
 */
export function logRetention(days: number, field: string): logs.RetentionDays {
  if (!ALLOWED_DAYS.includes(days)) {
    throw new Error(
      `${field}: CloudWatch Logs cannot keep logs for ${days} days; use one of ${ALLOWED_DAYS.join(', ')}`,
    );
  }
  return days as logs.RetentionDays;
}
