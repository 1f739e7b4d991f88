import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';

/**
 * A bench client process, forked from the bench bundle: the orchestrator sends it commands and
 * waits for its reports by kind.
 */
export class ChildClient<Report extends { readonly kind: string }, Command> {
  private readonly child: ChildProcess;
  private readonly reports: Report[] = [];
  private waiters: Array<() => void> = [];

  constructor(
    file: string,
    args: readonly string[],
    options: ForkOptions,
    /** How long {@link next} waits for a report unless told otherwise. */
    private readonly defaultTimeoutMs: number,
  ) {
    this.child = fork(file, [...args], { stdio: 'inherit', ...options });
    this.child.on('message', (report: Report) => {
      this.reports.push(report);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The next report of `kind`; fails when the client exits or stays silent past the timeout. */
  async next<K extends Report['kind']>(
    kind: K,
    timeoutMs = this.defaultTimeoutMs,
  ): Promise<Extract<Report, { kind: K }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.reports.findIndex((r) => r.kind === kind);
      if (at >= 0) return this.reports.splice(at, 1)[0] as Extract<Report, { kind: K }>;
      if (Date.now() > deadline || this.child.exitCode !== null) throw new Error(`client gave no "${kind}" report`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 1000);
      });
    }
  }

  command(command: Command): void {
    this.child.send(command as object);
  }

  /** Asks the client to exit, and kills it when it has not within 5 s. */
  async exit(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.command({ kind: 'exit' } as Command);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
