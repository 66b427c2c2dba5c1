/** Cron schedules in a time zone (croner): validation and next fire time. */
import { Cron } from 'croner';

/** What is wrong with the expression or zone, in words, or null. */
export function scheduleProblem(cron: string, timezone: string): string | null {
  if (typeof cron !== 'string' || cron.trim() === '') return 'The cron expression is empty.';
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    return `'${timezone}' is not a time zone (use an IANA name such as Europe/Oslo or UTC).`;
  }
  try {
    const job = new Cron(cron, { timezone, paused: true });
    if (!job.nextRun(new Date())) return `The cron expression '${cron}' never fires.`;
  } catch (err) {
    return `The cron expression '${cron}' is not valid: ${(err as Error).message.replace(/^CronPattern: /, '')}`;
  }
  return null;
}

/** The first fire time strictly after `after`, or null when the pattern never fires again. */
export function nextFireTime(cron: string, timezone: string, after: Date): Date | null {
  const job = new Cron(cron, { timezone, paused: true });
  return job.nextRun(after);
}
