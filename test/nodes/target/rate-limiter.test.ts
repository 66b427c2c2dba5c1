import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../nodes/target/rate-limiter.ts';

describe('in-memory rate limiter', () => {
  it('reserves slots 1/rate apart per key, in call order, on its own clock', async () => {
    let now = 1_000;
    const limiter = createRateLimiter(() => now);
    const order: string[] = [];
    // At 20/s the slots are 50 ms apart: the first is free, the others wait 50, 100, 150 ms of real time.
    const waits = [0, 1, 2, 3].map((n) => limiter.acquire('erp', 20).then(() => order.push(`erp${n}`)));
    const other = limiter.acquire('bank', 20).then(() => order.push('bank0'));
    await Promise.all([...waits, other]);
    expect(order.indexOf('bank0')).toBeLessThan(order.indexOf('erp1'));
    expect(order.filter((o) => o.startsWith('erp'))).toEqual(['erp0', 'erp1', 'erp2', 'erp3']);
    // After the clock passed all reserved slots, the next request is free again.
    now += 1_000;
    let granted = false;
    const next = limiter.acquire('erp', 20).then(() => {
      granted = true;
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(granted).toBe(true); // granted without a timer
    await next;
  });

  it('does not wait without a rate, and rejects with the signal when aborted while waiting', async () => {
    const limiter = createRateLimiter(() => 0);
    await limiter.acquire('x', undefined);
    await limiter.acquire('x', 0);
    await limiter.acquire('x', 1); // slot 0 free; the next is 1 s away
    const abort = new AbortController();
    const waiting = limiter.acquire('x', 1, abort.signal);
    abort.abort(new Error('run cancelled'));
    await expect(waiting).rejects.toThrow('run cancelled');
  });
});
