import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestSignal } from '../../../nodes/target/request-signal.ts';

describe('requestSignal', () => {
  afterEach(() => vi.useRealTimers());

  it('aborts with a TimeoutError once the timeout passes, and says so', () => {
    vi.useFakeTimers();
    const run = new AbortController();
    const limit = requestSignal(run.signal, 1000);
    vi.advanceTimersByTime(999);
    expect(limit.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(limit.signal.aborted).toBe(true);
    expect((limit.signal.reason as DOMException).name).toBe('TimeoutError');
    expect(limit.timedOut()).toBe(true);
  });

  it("aborts with the run's own reason when the run stops, which is not a timeout", () => {
    const run = new AbortController();
    const limit = requestSignal(run.signal, 60_000);
    const reason = new DOMException('run cancelled', 'AbortError');
    run.abort(reason);
    expect(limit.signal.reason).toBe(reason);
    expect(limit.timedOut()).toBe(false);
    limit.clear();
  });

  it('starts aborted under a run that has already stopped', () => {
    const run = new AbortController();
    run.abort(new Error('stopped'));
    const limit = requestSignal(run.signal, 60_000);
    expect(limit.signal.aborted).toBe(true);
    expect((limit.signal.reason as Error).message).toBe('stopped');
    limit.clear();
  });

  it('leaves no timer and no listener behind once cleared', () => {
    vi.useFakeTimers();
    const run = new AbortController();
    const limit = requestSignal(run.signal, 1000);
    expect(vi.getTimerCount()).toBe(1);
    limit.clear();
    expect(vi.getTimerCount()).toBe(0);
    run.abort();
    vi.advanceTimersByTime(5000);
    expect(limit.signal.aborted).toBe(false);
  });
});
