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

  it('writes a batch given as pieces byte for byte, also when its characters take more than one byte each', async () => {
    const sink = createFileSink(dir);
    // ASCII first (the buffer is sized for a byte a character), then pieces of 2-, 3- and 4-byte characters that must grow it.
    const pieces = [...Array.from({ length: 50 }, (_, i) => `{"n":${i}}`), '\n', 'é'.repeat(3000), '€'.repeat(2000), '😀'.repeat(1500), '\n', 'x'];
    await sink.append('pieces.txt', pieces);
    await sink.close();
    expect(await readFile(join(dir, 'pieces.txt'), 'utf8')).toBe(pieces.join(''));
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
