/**
 * First start: an admin when there are no users, and the example flows from
 * `flows/` imported, deployed to the first environment and runnable (their
 * reference data and samples in the store, their setup.sql applied to each
 * of their Postgres connections' own embedded database — never the store).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FlowDocument } from '../../nodes/flow-document.ts';
import { generatePassword, hashPassword } from '../auth/passwords.ts';
import { loadFlowFile, storeFileReferenceData } from '../flow-files.ts';
import type { ServiceRepos } from '../store/service-repos.ts';
import type { EvaluatorRegistry } from '../evaluators.ts';
import { runMappingTests } from '../mapping-tests.ts';
import { catalog } from '../../nodes/catalog.ts';
import { serverReferenceData } from './flow-checks.ts';
import { applyFlowSetup } from '../store/target-databases.ts';
import { loadExampleSubflows } from './example-subflows.ts';
import type { Database } from '../store/database.ts';

/** Creates `admin` when the database has no user. Returns the password when it was generated (to print once). */
export async function ensureAdmin(repos: Pick<ServiceRepos, 'users' | 'audit'>, given: string | undefined): Promise<{ created: boolean; generatedPassword?: string }> {
  if ((await repos.users.countUsers()) > 0) return { created: false };
  const password = given || generatePassword();
  try {
    const user = await repos.users.createUser({ username: 'admin', displayName: 'Administrator', role: 'admin', passwordHash: await hashPassword(password) });
    await repos.audit.append({ actor: 'system', action: 'user.created', entity: 'user', entityId: user.id, after: { username: 'admin', role: 'admin', reason: 'first start' } });
  } catch (err) {
    // Another process created it first.
    if ((err as { code?: string }).code === '23505') return { created: false };
    throw err;
  }
  return given ? { created: true } : { created: true, generatedPassword: password };
}

export interface LoadedExample {
  flowId: string;
  version: number | null;
  skipped?: string;
}

/**
 * Imports every `<dir>/<name>/flow.json`, after the sub-flows they use
 * (`<dir>/subflows/<name>/subflow.json`); flows that already exist are left alone.
 */
export async function loadExamples(database: Database, options: { evaluators: EvaluatorRegistry; dir?: string; environment?: string; log?: (m: string) => void }): Promise<LoadedExample[]> {
  const { store } = database;
  const dir = resolve(options.dir ?? 'flows');
  const environment = options.environment ?? 'dev';
  const repos = database.service;
  const results: LoadedExample[] = [];
  if (!existsSync(dir)) return results;
  for (const s of await loadExampleSubflows({ repos, catalog, evaluators: options.evaluators }, dir)) {
    if (!s.skipped) options.log?.(`Loaded sub-flow ${s.name} v${s.version} (used by the example flows).`);
    else if (s.skipped !== 'already exists') options.log?.(`example sub-flow ${s.name} v${s.version} not loaded: ${s.skipped}`);
  }
  for (const entry of (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name, 'flow.json');
    if (!existsSync(path)) continue;
    const { doc: fileDoc, dir: flowDir } = await loadFlowFile(path);
    if (await store.getFlow(fileDoc.id)) {
      results.push({ flowId: fileDoc.id, version: null, skipped: 'already exists' });
      continue;
    }
    // The flow keeps its file declarations; the files' rows go to the store under
    // `<flow>/<name>`, where runs of stored versions find them (flows may share set names).
    const doc: FlowDocument = fileDoc;
    await storeFileReferenceData(fileDoc, flowDir, store);
    // The target tables go in the flow's own embedded databases, never in the store.
    const embedded = Object.entries(doc.connections ?? {}).filter(([, decl]) => decl.kind === 'postgres').map(([name]) => name);
    await applyFlowSetup(database, flowDir, embedded);
    await store.saveDraft(doc, 'system');
    for (const sample of fileDoc.samples ?? []) {
      const file = resolve(flowDir, sample);
      if (existsSync(file)) await repos.samples.putSample(doc.id, sample, new Uint8Array(await readFile(file)));
    }
    const version = await store.saveVersion(doc.id, doc, 'system', `Example loaded from flows/${entry.name}`);
    for (const [name, decl] of Object.entries(doc.connections ?? {})) {
      if (decl.kind === 'postgres' && !(await repos.connections.getConnection(environment, name))) {
        await repos.connections.putConnection({ environment, name, kind: 'postgres', settings: { embedded: true }, encryptedSecrets: {}, updatedBy: 'system' });
        await repos.audit.append({ actor: 'system', action: 'connection.created', entity: 'connection', entityId: `${environment}/${name}`, after: { environment, name, kind: 'postgres', settings: { embedded: true }, secretNames: [] } });
      }
    }
    await repos.sql.transaction(async (tx) => {
      const { after } = await repos.deployments.deploy({ flowId: doc.id, environment, version: version.version, by: 'system', kind: 'deploy' }, tx);
      await repos.audit.append([
        { actor: 'system', action: 'flow.imported', entity: 'flow', entityId: doc.id, after: { name: doc.name, from: `flows/${entry.name}` } },
        { actor: 'system', action: 'deployment.deployed', entity: 'deployment', entityId: `${doc.id}/${environment}`, after },
      ], tx);
    });
    try {
      const tests = await runMappingTests(doc, { catalog, evaluator: options.evaluators.for(doc), reference: await serverReferenceData(store, doc) });
      await repos.deployments.putTestResults(doc.id, version.version, tests.every((r) => r.passed), tests);
    } catch (err) {
      options.log?.(`example ${doc.id}: mapping tests could not run: ${(err as Error).message}`);
    }
    results.push({ flowId: doc.id, version: version.version });
  }
  return results;
}
