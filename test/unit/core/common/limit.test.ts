import { describe, expect, it } from 'vitest';
import { Limiter } from '../../../../src/core/common/limit.js';

describe('Limiter (AIMD)', () => {
  it('never runs more than its limit at once', async () => {
    const l = new Limiter(3);
    let active = 0;
    let peak = 0;
    const task = async () => {
      peak = Math.max(peak, ++active);
      await new Promise((r) => setImmediate(r));
      active--;
    };
    await Promise.all(Array.from({ length: 20 }, () => l.run(task)));
    expect(peak).toBe(3);
  });

  it('halves on throttling (once per cooldown) and adds one back per `limit` successes', () => {
    let t = 0;
    const l = new Limiter(16, () => t, 1000);
    l.throttled();
    expect(l.current).toBe(8);
    l.throttled(); // same burst
    expect(l.current).toBe(8);
    t = 1000;
    l.throttled();
    expect(l.current).toBe(4);
    for (let i = 0; i < 4; i++) l.succeeded();
    expect(l.current).toBe(5);
    for (let i = 0; i < 1000; i++) l.succeeded();
    expect(l.current).toBe(16);
    for (let i = 0; i < 10; i++) {
      t += 1000;
      l.throttled();
    }
    expect(l.current).toBe(1);
  });

  it('lets waiting tasks run when the limit grows back', async () => {
    const t = 0;
    const l = new Limiter(2, () => t);
    l.throttled();
    expect(l.current).toBe(1);
    let release: () => void = () => {};
    const blocker = l.run(() => new Promise<void>((r) => (release = r)));
    let ran = false;
    const waiter = l.run(async () => {
      ran = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(ran).toBe(false);
    l.succeeded();
    expect(l.current).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(ran).toBe(true);
    release();
    await Promise.all([blocker, waiter]);
  });
});
