/**
 * Runs `round` every `intervalMs`, never two at once: a tick that comes while the previous round
 * is still running is skipped rather than queued. `round` handles its own failures. The timer does
 * not keep the process alive unless `keepAlive` is set (a process whose only work is this loop).
 * Returns a function that stops it.
 */
export function runEvery(intervalMs: number, round: () => Promise<void>, { keepAlive = false } = {}): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void round().finally(() => (running = false));
  }, intervalMs);
  if (!keepAlive) timer.unref();
  return () => clearInterval(timer);
}
