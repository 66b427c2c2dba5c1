/**
 * `source.sftp`: picks up files from a directory of an SFTP server (bank
 * statements, supplier exports). Each run reads ONE new file — the oldest
 * that matches the pattern and is stable — with the file source's parsers;
 * a poll or schedule trigger picks up the next one on its next tick.
 *
 * Never read twice: the files a run read are remembered in the source's
 * watermark (name, size and modification time), which the runtime commits
 * only when the run succeeds. The next run first moves the files done by
 * earlier runs out of the way (to the archive folder, or renamed with the
 * done suffix, or — `keep` — leaves them and skips them), then looks for a
 * new one. A run that fails leaves the watermark where it was, so its file is
 * read again (its delivered records count as duplicates in the ledger).
 * A file still being written — its size or time changing between two looks
 * `stableForMs` apart — is skipped until it is stable.
 *
 * In the designer (and with an uploaded or `--input` file) the document
 * given is read as the file; the server is only reached at run time.
 */
import { StringEnum, Type, type Static } from '../config-schema.ts';
import { defineNode, type ConfigProblem, type SftpEntry, type SftpSession, type SourceContext } from '../define-node.ts';
import { FlowError, toFlowError } from '../errors.ts';
import { fileFormatOptions, fileSource, type FileSourceConfig } from './file.ts';
import { sleep } from './http-request.ts';

/** How many done files the watermark remembers (files kept in place beyond that could be read again). */
export const REMEMBERED_FILES = 5000;

interface FileIdentity {
  name: string;
  size: number;
  mtime: number;
}

/** `*.xml` → a case-insensitive regular expression for whole names. */
export function globPattern(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** The file source's settings as `parse` holds them: any of them (defaults filled at run time), no dialect line. */
function partialSchema({ $schema: _, required: __, ...schema }: Record<string, unknown>): Record<string, unknown> {
  return schema;
}

const config = Type.Object({
  /** Name of an `sftp` connection the flow declares. */
  connection: Type.String({ title: 'Connection', minLength: 1, default: '' }),
  /** Directory on the server, as the login sees it (`inbox`, `/upload/statements`). */
  directory: Type.String({ title: 'Directory', description: 'On the server, e.g. inbox or /upload/statements', default: '.' }),
  /** File names to read: `*` any characters, `?` one; matched case-insensitively (`*.xml`). */
  pattern: Type.String({ title: 'File pattern', description: '* any characters, ? one; e.g. *.xml', default: '*' }),
  afterRead: Type.Optional(StringEnum(['archive', 'rename', 'keep'] as const, {
    title: 'After a successful run', default: 'archive',
    description: 'archive: move the file to the archive folder; rename: add the done suffix; keep: leave it (remembered, never read again)',
  })),
  /** `archive`: where done files go; empty = `<directory>/archive`. */
  archiveDirectory: Type.Optional(Type.String({ title: 'Archive folder', description: 'Empty: <directory>/archive', default: '' })),
  /** `rename`: appended to a done file's name. */
  doneSuffix: Type.Optional(Type.String({ title: 'Done suffix', default: '.done' })),
  /** Time between the two looks at a file's size; a file that changed is still being written. */
  stableForMs: Type.Optional(Type.Integer({ title: 'Stable for (ms)', description: 'A file whose size changes within this time is still being written and waits', minimum: 0, maximum: 600000, default: 2000 })),
  /** How the file is read: the file source's settings (format, encoding, CSV, JSON, XML). */
  parse: Type.Optional(Type.Unsafe<Partial<FileSourceConfig>>({ ...partialSchema(fileSource.configSchema), title: 'Reading the file', default: { format: 'auto' } })),
}, { additionalProperties: false });

/** The config as a run has it: the declared defaults fill what a flow leaves out (nodes/node-config.ts). */
export type SftpSourceConfig = Required<Static<typeof config>>;

/** What the schema cannot say: a pattern without folders, a usable done suffix when renaming. */
function problems(config: SftpSourceConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  if (!config.connection) out.push({ path: '/connection', message: 'choose the SFTP connection to read from' });
  if (!config.pattern || /[/\\]/.test(config.pattern)) out.push({ path: '/pattern', message: 'give a file name pattern without folders, e.g. *.xml' });
  if (config.afterRead === 'rename' && (!config.doneSuffix || /[/\\]/.test(config.doneSuffix))) out.push({ path: '/doneSuffix', message: 'give a suffix such as .done' });
  return out;
}

const join = (dir: string, name: string) => (dir === '' || dir === '.' ? name : `${dir.replace(/\/+$/, '')}/${name}`);
const sameFile = (a: FileIdentity, b: SftpEntry) => a.name === b.name && a.size === b.size && a.mtime === b.modifiedMs;

/** The files the watermark says are done; an unreadable one counts as none. */
function doneFiles(watermark: string | undefined): FileIdentity[] {
  if (!watermark) return [];
  try {
    const parsed = JSON.parse(watermark) as { done?: FileIdentity[] };
    return Array.isArray(parsed.done) ? parsed.done.filter((f) => f && typeof f.name === 'string') : [];
  } catch {
    return [];
  }
}

/** Reads one new, stable file of an SFTP directory per run; see the module comment. */
export const sftpSource = defineNode({
  type: 'source.sftp',
  version: 1,
  title: 'SFTP folder',
  description: 'Picks up each new file of an SFTP directory (bank statements, exports): one file a run, moved to an archive folder or marked done once its run succeeded, never read twice.',
  category: 'source',
  inputs: [],
  outputs: [{ id: 'out', title: 'Records' }],
  config,
  check: (config) => problems(config as SftpSourceConfig),
  summary: (config) => `${config.connection || '(no connection)'}:${join(config.directory, config.pattern)}`,
  create(raw, setup) {
    const config = raw as SftpSourceConfig;
    const nodeId = setup.nodeId;
    const options = fileFormatOptions(config.parse ?? {});
    const pattern = globPattern(config.pattern);
    const archive = config.archiveDirectory || join(config.directory, 'archive');

    async function* parse(chunks: AsyncIterable<Uint8Array>, name: string, signal: AbortSignal): AsyncIterable<unknown> {
      const { parseDocument } = await import('../formats/parse-document.ts');
      try {
        for await (const record of parseDocument(chunks, name, options)) {
          if (signal.aborted) return;
          yield record;
        }
      } catch (err) {
        throw toFlowError(err, 'validation', { nodeId });
      }
    }

    /** Moves the files earlier runs finished out of the directory (archive / rename); `keep` leaves them. */
    async function finishDone(session: SftpSession, entries: SftpEntry[], done: FileIdentity[]): Promise<void> {
      if (config.afterRead === 'keep') return;
      const finished = entries.filter((e) => done.some((d) => sameFile(d, e)));
      if (finished.length && config.afterRead === 'archive') await session.ensureDir(archive);
      for (const e of finished) {
        const to = config.afterRead === 'archive' ? join(archive, e.name) : join(config.directory, `${e.name}${config.doneSuffix}`);
        await session.rename(join(config.directory, e.name), to);
      }
    }

    return {
      async *read(ctx: SourceContext) {
        if (ctx.input) {
          yield* parse(ctx.input.chunks(), ctx.input.name, ctx.signal);
          return;
        }
        if (!ctx.connections.sftp) {
          throw new FlowError('permanent', `SFTP source "${nodeId}" reads its server at run time; load a sample file to preview it`, { nodeId });
        }
        const session = await ctx.connections.sftp(config.connection).open(ctx.signal);
        try {
          const done = doneFiles(ctx.watermark);
          const matching = (list: SftpEntry[]) => list.filter((e) => e.type === 'file' && !e.name.startsWith('.') && pattern.test(e.name));
          const first = matching(await session.list(config.directory));
          await finishDone(session, first, done);
          const fresh = first
            .filter((e) => !done.some((d) => sameFile(d, e)))
            .sort((a, b) => a.modifiedMs - b.modifiedMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
          if (fresh.length === 0) return;
          // The second look: a file whose size or time moved is still being written.
          if (config.stableForMs > 0) await (ctx.sleep ?? sleep)(config.stableForMs, ctx.signal);
          const second = new Map(matching(await session.list(config.directory)).map((e) => [e.name, e]));
          const file = fresh.find((e) => {
            const again = second.get(e.name);
            return again && again.size === e.size && again.modifiedMs === e.modifiedMs;
          });
          if (!file) return;
          yield* parse(session.read(join(config.directory, file.name)), file.name, ctx.signal);
          if (ctx.signal.aborted) return;
          const remembered = [...done, { name: file.name, size: file.size, mtime: file.modifiedMs }].slice(-REMEMBERED_FILES);
          ctx.proposeWatermark(JSON.stringify({ done: remembered, last: file.name }));
        } finally {
          await session.close();
        }
      },
    };
  },
});
