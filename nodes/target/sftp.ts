/**
 * `target.sftp`: writes each record as a file of its own on an SFTP server
 * (a pain.001 payment file for the bank, a UBL invoice, a JSON document),
 * atomically: under a temp name (`.<name>.<uuid>.part`) first, renamed to its
 * name once complete, so the receiver never picks up half a file. The name is
 * a template filled from the record (see document-files.ts); a record written
 * again replaces its file with the same content. The ref is the remote path.
 */
import { StringEnum, Type, type Static } from '../config-schema.ts';
import { defineNode, TARGET_OUT_PORT, type ConfigProblem, type TargetOutcome } from '../define-node.ts';
import { FlowError } from '../errors.ts';
import type { XmlWriteOptions } from '../formats/xml-write.ts';
import { IdempotencyKey } from './idempotency-config.ts';
import {
  XML_WRITE_SCHEMA, compileFileName, documentText, fileNameTemplateProblems, loadDocumentWriter, xmlOptionsProblems,
} from './document-files.ts';

const config = Type.Object({
  /** Name of an `sftp` connection the flow declares. */
  connection: Type.String({ title: 'Connection', minLength: 1, default: '' }),
  /** Directory on the server (created when missing). */
  directory: Type.Optional(Type.String({ title: 'Directory', description: 'On the server, e.g. outbox; created when missing', default: '.' })),
  /** File name with `{{field}}` placeholders, e.g. `pain001-{{Document.CstmrCdtTrfInitn.GrpHdr.MsgId}}.xml`. */
  fileName: Type.String({ title: 'File name', description: 'With {{field}} placeholders, e.g. pain001-{{Document.CstmrCdtTrfInitn.GrpHdr.MsgId}}.xml', minLength: 1, default: '' }),
  format: StringEnum(['xml', 'json'] as const, { title: 'Format', default: 'xml' }),
  xml: Type.Optional(Type.Unsafe<XmlWriteOptions>(XML_WRITE_SCHEMA)),
  batchSize: Type.Optional(Type.Integer({ title: 'Batch size', description: 'Files written per connection', minimum: 1, maximum: 10000, default: 50 })),
  idempotencyKey: IdempotencyKey,
}, { additionalProperties: false });

/** The config as a run has it: the declared defaults fill what a flow leaves out (nodes/node-config.ts). */
export type SftpTargetConfig = Static<typeof config> & { directory: string; batchSize: number };

/** What the schema cannot say: a folder escape, the file name's placeholders, the XML options. */
function configProblems(config: SftpTargetConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!config.connection) problems.push({ path: '/connection', message: 'choose the SFTP connection to write to' });
  if (typeof config.directory === 'string' && config.directory.split('/').includes('..')) problems.push({ path: '/directory', message: "the directory may not contain '..'" });
  problems.push(...fileNameTemplateProblems(config.fileName, '/fileName'));
  if (config.format === 'xml') problems.push(...xmlOptionsProblems(config.xml, '/xml'));
  return problems;
}

const join = (dir: string, name: string) => (dir === '' || dir === '.' ? name : `${dir.replace(/\/+$/, '')}/${name}`);

/** Writes one file per record to an SFTP directory; see the module comment. */
export const sftpTarget = defineNode({
  type: 'target.sftp',
  version: 1,
  title: 'SFTP file',
  description: 'Writes each record as an XML or JSON file on an SFTP server (payment files, e-invoices): temp name first, then renamed.',
  category: 'target',
  inputs: [{ id: 'in', title: 'Records' }],
  outputs: [TARGET_OUT_PORT],
  config,
  check: (config) => configProblems(config as SftpTargetConfig),
  summary: (raw) => {
    const config = raw as SftpTargetConfig;
    return `${config.format.toUpperCase()} → ${config.connection || '(no connection)'}:${join(config.directory, config.fileName || '(no file)')}`;
  },
  deliveryTarget: (raw) => {
    const config = raw as SftpTargetConfig;
    return { connection: config.connection, object: `sftp:${join(config.directory, config.fileName)}` };
  },
  create(raw, setup) {
    const config = raw as SftpTargetConfig;
    const nodeId = setup.nodeId;
    const problems = configProblems(config);
    if (problems.length > 0) {
      throw new FlowError('permanent', `SFTP target is misconfigured: ${problems.map((p) => p.message).join('; ')}`, { nodeId, field: problems[0].path });
    }
    const nameOf = compileFileName(config.fileName, nodeId);
    return {
      batchSize: config.batchSize,
      async write(items, ctx) {
        await loadDocumentWriter(config.format);
        const files = items.map((item) => {
          const name = nameOf(item.data);
          return name instanceof FlowError ? name : { path: join(config.directory, name), text: documentText(config.format, item.data, config.xml, nodeId) };
        });
        const outcomes: TargetOutcome[] = [];
        if (!ctx.connections.sftp) throw new FlowError('permanent', `SFTP target "${nodeId}" writes at run time only`, { nodeId });
        // Nothing to write (every record refused): no connection opened.
        const session = files.some((f) => !(f instanceof FlowError) && !(f.text instanceof FlowError)) ? await ctx.connections.sftp(config.connection).open(ctx.signal) : null;
        try {
          if (session) await session.ensureDir(config.directory);
          for (const f of files) {
            if (f instanceof FlowError) outcomes.push({ ok: false, error: f });
            else if (f.text instanceof FlowError) outcomes.push({ ok: false, error: f.text });
            else {
              await session!.writeAtomically(f.path, f.text);
              outcomes.push({ ok: true, ref: f.path, answer: { file: f.path } });
            }
          }
        } finally {
          await session?.close();
        }
        return outcomes;
      },
    };
  },
});
