import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Fields that may carry a secret wherever they appear in a log object. Redaction is the safety
 * net; the code never hands a secret to the logger on purpose.
 */
const REDACTED_PATHS = [
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'secret',
  '*.secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** The app name, put on every line as `service`. */
  readonly service: string;
  /** @default 'info' */
  readonly level?: string;
}

/** A JSON logger on stdout (the log shipper picks it up there) with secrets redacted. */
export function createLogger(options: LoggerOptions): Logger {
  return pino({
    level: options.level ?? 'info',
    base: { service: options.service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
