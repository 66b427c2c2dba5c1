import { describe, expect, it } from 'vitest';
import { nextFireTime, scheduleProblem } from '../../../runtime/triggers/cron.ts';

describe('cron schedules in a time zone', () => {
  it('fires at local time across a daylight-saving change (Europe/Oslo)', () => {
    // Friday 27 March 2026; clocks go forward on Sunday 29 March.
    const after = new Date('2026-03-27T12:00:00Z');
    expect(nextFireTime('0 9 * * 1-5', 'Europe/Oslo', after)?.toISOString()).toBe('2026-03-30T07:00:00.000Z'); // 09:00 CEST
    expect(nextFireTime('0 9 * * 1-5', 'Europe/Oslo', new Date('2026-03-26T12:00:00Z'))?.toISOString()).toBe('2026-03-27T08:00:00.000Z'); // 09:00 CET
  });

  it('the same expression fires at different instants in different zones', () => {
    const after = new Date('2026-07-01T00:00:00Z');
    expect(nextFireTime('30 6 * * *', 'UTC', after)?.toISOString()).toBe('2026-07-01T06:30:00.000Z');
    expect(nextFireTime('30 6 * * *', 'America/New_York', after)?.toISOString()).toBe('2026-07-01T10:30:00.000Z');
    expect(nextFireTime('30 6 * * *', 'Asia/Kolkata', after)?.toISOString()).toBe('2026-07-01T01:00:00.000Z');
  });

  it('month-end close at 18:00 on the last day (L)', () => {
    expect(nextFireTime('0 18 L * *', 'Europe/London', new Date('2026-02-10T00:00:00Z'))?.toISOString()).toBe('2026-02-28T18:00:00.000Z');
  });

  it('names what is wrong', () => {
    expect(scheduleProblem('0 9 * * 1-5', 'Europe/Oslo')).toBeNull();
    expect(scheduleProblem('61 * * * *', 'UTC')).toMatch(/not valid: .*minute/);
    expect(scheduleProblem('0 * * * *', 'Mars/Olympus')).toMatch(/not a time zone/);
    expect(scheduleProblem('', 'UTC')).toMatch(/empty/);
    expect(scheduleProblem('0 0 30 2 *', 'UTC')).toMatch(/never fires/);
  });
});
