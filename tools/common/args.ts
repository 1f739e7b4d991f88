import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PROFILE_NAMES, type ProfileName } from '../../lib/config';

/** A command-line mistake: the tools print the message and exit with status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses the tool's arguments, accepting the CDK-style `-c key=value` context flag (repeatable) on
 * top of `options`, so every tool picks profiles the way `cdk synth -c env=NAME` does.
 */
export function parseToolArgs<O extends Options>(argv: string[], options: O) {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...options, context: { type: 'string', short: 'c', multiple: true } },
      allowPositionals: true,
      strict: true,
    });
    const context: Record<string, string> = {};
    for (const pair of ((parsed.values as Record<string, unknown>).context as string[] | undefined) ?? []) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`-c expects key=value (such as -c env=prod), got "${pair}"`);
      context[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return { values: parsed.values, positionals: parsed.positionals, context };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message);
  }
}

/** The profiles named with `-c env=a,b` (comma-separated allowed), or `fallback` when none is given. */
/** The report formats the tools print. */
export type OutputFormat = 'text' | 'markdown';

/** Checks a `--format` value, naming the allowed ones when it is neither. */
export function outputFormat(value: unknown): OutputFormat {
  if (value === 'text' || value === 'markdown') return value;
  throw new UsageError(`--format must be text or markdown, got "${String(value)}"`);
}

export function profilesFromContext(context: Record<string, string>, fallback: readonly ProfileName[]): ProfileName[] {
  const raw = context.env;
  if (raw === undefined) return [...fallback];
  return raw.split(',').map((name) => {
    if (!(PROFILE_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(
        `Unknown profile "${name}" given with -c env=...: allowed values are ${PROFILE_NAMES.join(', ')}`,
      );
    }
    return name as ProfileName;
  });
}

/** Runs a tool's main function: usage errors exit 2, other failures exit 1, both with one clear line. */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const err = error as Error;
      console.error(`error: ${err.message}`);
      process.exitCode = err instanceof UsageError ? 2 : 1;
    },
  );
}
