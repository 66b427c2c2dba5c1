/**
 * `target.sftp`: writes each record as a file of its own on an SFTP server
 * (a pain.001 payment file for the bank, a UBL invoice, a JSON document),
 * atomically: under a temp name (`.<name>.<uuid>.part`) first, renamed to its
 * name once complete, so the receiver never picks up half a file. The name is
 * a template filled from the record (see document-files.ts); a record written
 * again replaces its file with the same content. The ref is the remote path.
 */
import { defineNode, TARGET_OUT_PORT, type ConfigProblem, type TargetOutcome } from '../define-node.ts';
import { FlowError } from '../errors.ts';
import type { XmlWriteOptions } from '../formats/xml-write.ts';
import { IDEMPOTENCY_KEY_SCHEMA, checkIdempotencyKey } from './idempotency-config.ts';
import {
  XML_WRITE_SCHEMA, compileFileName, documentText, fileNameTemplateProblems, loadDocumentWriter, xmlOptionsProblems, type DocumentFormat,
} from './document-files.ts';

export interface SftpTargetConfig {
  /** Name of an `sftp` connection the flow declares. */
  connection: string;
  /** Directory on the server (created when missing). */
  directory: string;
  /** File name with `{{field}}` placeholders, e.g. `pain001-{{Document.CstmrCdtTrfInitn.GrpHdr.MsgId}}.xml`. */
  fileName: string;
  format: DocumentFormat;
  xml?: XmlWriteOptions;
  batchSize: number;
  idempotencyKey: string;
}

function configProblems(config: SftpTargetConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!config.connection) problems.push({ path: '/connection', message: 'choose the SFTP connection to write to' });
  if (typeof config.directory === 'string' && config.directory.split('/').includes('..')) problems.push({ path: '/directory', message: "the directory may not contain '..'" });
  problems.push(...fileNameTemplateProblems(config.fileName, '/fileName'));
  if (config.format !== 'xml' && config.format !== 'json') problems.push({ path: '/format', message: 'format must be xml or json' });
  if (config.format === 'xml') problems.push(...xmlOptionsProblems(config.xml, '/xml'));
  if (!Number.isInteger(config.batchSize) || config.batchSize < 1) problems.push({ path: '/batchSize', message: 'batch size must be a whole number ≥ 1' });
  return problems;
}

const join = (dir: string, name: string) => (dir === '' || dir === '.' ? name : `${dir.replace(/\/+$/, '')}/${name}`);

/** Writes one file per record to an SFTP directory; see the module comment. */
export const sftpTarget = defineNode<SftpTargetConfig, 'target'>({
  type: 'target.sftp',
  version: 1,
  title: 'SFTP file',
  description: 'Writes each record as an XML or JSON file on an SFTP server (payment files, e-invoices): temp name first, then renamed.',
  category: 'target',
  inputs: [{ id: 'in', title: 'Records' }],
  outputs: [TARGET_OUT_PORT],
  configSchema: {
    type: 'object',
    required: ['connection', 'fileName', 'format', 'idempotencyKey'],
    additionalProperties: false,
    properties: {
      connection: { type: 'string', title: 'Connection', minLength: 1 },
      directory: { type: 'string', title: 'Directory', description: 'On the server, e.g. outbox; created when missing', default: '.' },
      fileName: { type: 'string', title: 'File name', description: 'With {{field}} placeholders, e.g. pain001-{{Document.CstmrCdtTrfInitn.GrpHdr.MsgId}}.xml', minLength: 1 },
      format: { type: 'string', title: 'Format', enum: ['xml', 'json'], default: 'xml' },
      xml: XML_WRITE_SCHEMA,
      batchSize: { type: 'integer', title: 'Batch size', description: 'Files written per connection', minimum: 1, maximum: 10000, default: 50 },
      idempotencyKey: IDEMPOTENCY_KEY_SCHEMA,
    },
  },
  defaults: { connection: '', directory: '.', fileName: '', format: 'xml', batchSize: 50, idempotencyKey: '$sourceKey' },
  expressionFields: ['/idempotencyKey'],
  check(config, evaluator) {
    return [...configProblems(config), ...checkIdempotencyKey(config.idempotencyKey, evaluator)];
  },
  summary: (config) => `${config.format.toUpperCase()} → ${config.connection || '(no connection)'}:${join(config.directory, config.fileName || '(no file)')}`,
  deliveryTarget: (config) => ({ connection: config.connection, object: `sftp:${join(config.directory, config.fileName)}` }),
  create(config, setup) {
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
