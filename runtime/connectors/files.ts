/**
 * The FileSink of the runtime: appends to files under one output folder. Paths
 * come from flow documents, so anything that could leave the folder (`..`,
 * absolute paths, drive letters) is refused. Handles stay open per file and
 * writes to one file are queued so they never interleave. `write` replaces a
 * whole file at once: a temp file beside it, renamed over it when complete.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { FileSink } from '../../nodes/define-node.ts';
import { FlowError } from '../../nodes/errors.ts';

/** A file sink that owns open handles. */
export interface ClosableFileSink extends FileSink {
  /** Waits for pending writes and closes every open file. */
  close(): Promise<void>;
  /** Absolute path a relative output path maps to (throws like `append` for escaping paths). */
  resolvePath(path: string): string;
}

/** Appends text to files under `outputDir` (created on first write). */
export function createFileSink(outputDir: string): ClosableFileSink {
  const root = resolve(outputDir);
  const handles = new Map<string, Promise<FileHandle>>();
  const queues = new Map<string, Promise<void>>();

  function resolvePath(path: string): string {
    const refuse = (why: string) => new FlowError('permanent', `output file '${path}' refused: ${why}`, { field: path });
    if (typeof path !== 'string' || path.trim() === '') throw refuse('the name is empty');
    if (path.includes('\0')) throw refuse('the name contains a NUL character');
    if (isAbsolute(path) || /^[A-Za-z]:/.test(path) || path.startsWith('\\')) throw refuse("it must be relative to the run's output folder");
    if (path.split(/[\\/]/).includes('..')) throw refuse("it may not leave the output folder ('..')");
    const full = resolve(root, path);
    const rel = relative(root, full);
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) throw refuse('it is outside the output folder');
    return full;
  }

  function handleFor(full: string): Promise<FileHandle> {
    let handle = handles.get(full);
    if (!handle) {
      handle = mkdir(dirname(full), { recursive: true }).then(() => open(full, 'a'));
      handles.set(full, handle);
      handle.catch(() => handles.delete(full)); // let a later append try again
    }
    return handle;
  }

  /** Runs `work` on the file after every earlier write to it (the path checked first). */
  function queued(path: string, work: (full: string) => Promise<void>): Promise<void> {
    let full: string;
    try {
      full = resolvePath(path);
    } catch (err) {
      return Promise.reject(err);
    }
    const previous = queues.get(full) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => work(full));
    queues.set(full, next);
    return next;
  }

  return {
    resolvePath,
    append(path, text) {
      return queued(path, async (full) => {
        const handle = await handleFor(full);
        await handle.appendFile(typeof text === 'string' ? text : encodePieces(text));
      });
    },
    write(path, text) {
      return queued(path, async (full) => {
        await mkdir(dirname(full), { recursive: true });
        const temp = `${full}.${randomUUID()}.tmp`;
        try {
          await writeFile(temp, text, 'utf8');
          await rename(temp, full);
        } catch (err) {
          await rm(temp, { force: true });
          throw err;
        }
      });
    },
    async close() {
      await Promise.allSettled([...queues.values()]);
      queues.clear();
      const opened = await Promise.allSettled([...handles.values()]);
      handles.clear();
      await Promise.all(opened.map((h) => (h.status === 'fulfilled' ? h.value.close() : undefined)));
    },
  };
}

/**
 * Pieces encoded one after another into one buffer: one long string built of many pieces is slow
 * to encode, and a buffer per piece is garbage to collect. The buffer is sized for one byte a
 * character (the usual JSON and CSV text) and grows only when a piece needs more.
 */
function encodePieces(pieces: readonly string[]): Buffer {
  let chars = 0;
  for (const piece of pieces) chars += piece.length;
  let bytes = Buffer.allocUnsafe(chars + 1024);
  let used = 0;
  for (const piece of pieces) {
    // A UTF-16 code unit is at most 3 UTF-8 bytes: only a piece that might not fit is measured.
    if (bytes.length - used < piece.length * 3) {
      const needed = used + Buffer.byteLength(piece, 'utf8');
      if (needed > bytes.length) {
        const grown = Buffer.allocUnsafe(Math.max(needed, bytes.length + (bytes.length >> 1)));
        bytes.copy(grown, 0, 0, used);
        bytes = grown;
      }
    }
    used += bytes.write(piece, used, 'utf8');
  }
  return bytes.subarray(0, used);
}
