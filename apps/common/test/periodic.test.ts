import { runEvery } from '../src/periodic';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('runEvery', () => {
  test('never runs two rounds at once: ticks during a slow round are skipped, not queued', async () => {
    let running = 0;
    let most = 0;
    let rounds = 0;
    const stop = runEvery(5, async () => {
      running++;
      most = Math.max(most, running);
      await sleep(40);
      running--;
      rounds++;
    });
    await sleep(150);
    stop();
    expect(most).toBe(1);
    // About 150 / 45 rounds; one queued per skipped tick would be far more.
    expect(rounds).toBeGreaterThanOrEqual(1);
    expect(rounds).toBeLessThanOrEqual(4);
  });

  test('stops when asked', async () => {
    let rounds = 0;
    const stop = runEvery(5, async () => {
      rounds++;
    });
    await sleep(40);
    stop();
    const seen = rounds;
    expect(seen).toBeGreaterThan(0);
    await sleep(40);
    expect(rounds).toBe(seen);
  });
});
