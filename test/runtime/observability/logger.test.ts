import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../runtime/observability/logger.ts';

function sink(isTTY: boolean) {
  const written: string[] = [];
  const destination = Object.assign(new Writable({ write(chunk, _encoding, done) { written.push(String(chunk)); done(); } }), { isTTY });
  return { written, destination };
}

describe('logger', () => {
  it('JSON lines with a level name and an ISO time when no terminal is attached', () => {
    const { written, destination } = sink(false);
    createLogger({ destination }).child({ runId: 'r-1' }).warn({ flowId: 'f', nodeId: 'n' }, 'two records quarantined');
    expect(written).toHaveLength(1);
    const line = JSON.parse(written[0]);
    expect(line).toMatchObject({ level: 'warn', runId: 'r-1', flowId: 'f', nodeId: 'n', msg: 'two records quarantined' });
    expect(new Date(line.time).toISOString()).toBe(line.time);
  });

  it('human-readable lines on a terminal (or when asked), JSON when asked', () => {
    const tty = sink(true);
    createLogger({ destination: tty.destination }).info({ runId: 'r-2' }, 'run succeeded');
    expect(tty.written.join('')).toMatch(/INFO.*run succeeded/);
    expect(() => JSON.parse(tty.written[0])).toThrow();
    const forced = sink(true);
    createLogger({ destination: forced.destination, format: 'json' }).info('plain');
    expect(JSON.parse(forced.written[0]).msg).toBe('plain');
  });

  it('drops lines below the level', () => {
    const { written, destination } = sink(false);
    const logger = createLogger({ destination, level: 'warn' });
    logger.info('not shown');
    logger.error('shown');
    expect(written.map((w) => JSON.parse(w).msg)).toEqual(['shown']);
  });
});
