import { type EnvError, loadEnv } from '../src/env';
import { postgresEnvShape, postgresOptionsFromEnv } from '../src/postgres';

/** `source` parsed as the PostgreSQL variables of an app's environment. */
export const parsePostgresEnv = (source: Record<string, string>) => loadEnv(postgresEnvShape, source);

/** What `postgresOptionsFromEnv` refuses in `source`, one problem a line; empty when it accepts it. */
export function postgresEnvProblems(source: Record<string, string>): string {
  try {
    postgresOptionsFromEnv(parsePostgresEnv(source), 'test');
  } catch (err) {
    return (err as EnvError).problems.join('\n');
  }
  return '';
}
