import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileSink } from '../../../runtime/connectors/files.ts';
import { FlowError } from '../../../nodes/errors.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lf-sink-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createFileSink', () => {
  it('appends to files under the folder, creating sub-folders', async () => {
    const sink = createFileSink(join(dir, 'out'));
    await sink.append('a/b/records.jsonl', '{"n":1}\n');
    await sink.append('a/b/records.jsonl', '{"n":2}\n');
    await sink.close();
    expect(await readFile(join(dir, 'out/a/b/records.jsonl'), 'utf8')).toBe('{"n":1}\n{"n":2}\n');
  });

  it('keeps concurrent appends to one file whole and in order', async () => {
    const sink = createFileSink(dir);
    const chunks = Array.from({ length: 200 }, (_, i) => `${String(i).padStart(3, '0')}:${'x'.repeat(5000)}\n`);
    await Promise.all(chunks.map((c) => sink.append('big.txt', c)));
    await sink.close();
    expect(await readFile(join(dir, 'big.txt'), 'utf8')).toBe(chunks.join(''));
  });

  it.each(['../escape.txt', 'a/../../escape.txt', '/tmp/abs.txt', 'C:\\win.txt', '', '.', 'a/..'])('refuses %j', async (path) => {
    const sink = createFileSink(join(dir, 'out'));
    const err = await sink.append(path, 'x').catch((e) => e);
    expect(err).toBeInstanceOf(FlowError);
    expect(err.errorClass).toBe('permanent');
    expect(err.message).toContain('refused');
    await sink.close();
    await expect(stat(join(dir, 'escape.txt'))).rejects.toThrow();
  });
});
