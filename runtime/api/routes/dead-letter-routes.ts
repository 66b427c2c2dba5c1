/** Dead letters (quarantined and dead-lettered records): list, replay after a fix, discard with a reason. */
import { ANY_ROLE, OPERATORS } from '../../auth/roles.ts';
import { ERROR_CLASSES } from '../../../nodes/errors.ts';
import { referenceAsOf, replayRecords, selectDeadLetters } from '../../replay.ts';
import type { DeadLetterRow, DeadLetterStatus } from '../../store/store.ts';
import type { Db } from '../../store/db.ts';
import { deadLettersRepo } from '../../store/dead-letters-repo.ts';
import { idempotent } from '../middleware/idempotency.ts';
import type { Api, ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { currentUser } from '../middleware/auth.ts';
import { ApiProblem, badRequest, conflict, notFound } from '../problem.ts';

const brief = (d: DeadLetterRow) => ({ id: d.id, runId: d.runId, flowId: d.flowId, lineageKey: d.lineageKey, status: d.status, statusReason: d.statusReason });

/**
 * A dead letter as the API shows it: without the stored source record, which
 * is kept unredacted for replay only. Its lineage (masked) is the run's trace.
 */
const listed = ({ sourceRecord: _unmasked, ...rest }: DeadLetterRow) => rest;

/** Open ones by run (or ids); ids may also name replayed ones: replaying again is safe, targets count them duplicate. */
async function selectForReplay(ctx: ApiContext, ids: number[] | undefined, runId: string | undefined): Promise<DeadLetterRow[]> {
  if (!ids?.length) return selectDeadLetters(ctx.store, { runId });
  const rows = await existingDeadLetters(ctx, ids);
  const discarded = rows.find((row) => row.status === 'discarded');
  if (discarded) throw conflict(`Dead letter ${discarded.id} was discarded (${discarded.statusReason ?? 'no reason given'}); it cannot be replayed.`);
  return rows;
}

/** The dead letters with these ids, read in one statement; 404 naming the first missing one. */
async function existingDeadLetters(ctx: ApiContext, ids: number[]): Promise<DeadLetterRow[]> {
  const rows = await ctx.store.getDeadLetters(ids);
  if (rows.length < ids.length) {
    const found = new Set(rows.map((r) => r.id));
    throw notFound(`Dead letter ${ids.find((id) => !found.has(id))} does not exist.`);
  }
  return rows;
}

const IDEMPOTENCY_NOTE = ' Send an `Idempotency-Key` header (e.g. a UUID) to make a retry safe: the same key gives the first answer again instead of doing the work twice.';

export function registerDeadLetterRoutes(app: Api, ctx: ApiContext): void {
  app.use('/api/dead-letters/replay', idempotent(ctx.repos.sql));
  app.use('/api/dead-letters/discard', idempotent(ctx.repos.sql));
  defineRoute(app, {
    ...api['GET /api/dead-letters'], tags: ['Operations'], summary: 'Dead letters, newest first, with open counts by error class', roles: ANY_ROLE,
  }, async (c) => {
    const q = c.req.valid('query');
    const page = await ctx.store.listDeadLetters({ flowId: q.flow, errorClass: q.errorClass, status: q.status as DeadLetterStatus | undefined, olderThan: q.olderThan, runId: q.runId }, { limit: q.limit ?? 50, cursor: q.cursor });
    const params: unknown[] = [q.status ?? 'open'];
    if (q.flow) params.push(q.flow);
    const { rows } = await ctx.repos.sql.query<{ error_class: string; n: unknown }>(
      `select error_class, count(*) as n from dead_letters where status = $1 ${q.flow ? 'and flow_id = $2' : ''} group by error_class`, params);
    const countsByClass: Record<string, number> = Object.fromEntries(ERROR_CLASSES.map((k) => [k, 0]));
    for (const r of rows) countsByClass[r.error_class] = Number(r.n);
    return c.json({ ...page, items: page.items.map(listed), countsByClass }, 200);
  });

  defineRoute(app, {
    ...api['POST /api/dead-letters/replay'], tags: ['Operations'], summary: 'Replay open dead letters through the version that failed them, or the one deployed now', roles: OPERATORS,
    description: 'Targets are idempotent: records delivered before are skipped and counted as duplicates. Of a record that fanned out, only the items whose dead letters are selected run again. '
      + 'When the replay run finishes, the dead letters it did not fail again are marked replayed; those it failed again stay open with one more attempt and its error. '
      + 'With `reference: current` the records are re-evaluated with the current reference data instead of the data as it was when they failed; the audit entry says which. '
      + 'With `runId` the run\'s open dead letters are replayed; `ids` may also name dead letters replayed before (replaying again is safe: what was delivered counts as a duplicate), not discarded ones. '
      + 'The replay run and its audit entry are committed together.' + IDEMPOTENCY_NOTE,
  }, async (c) => {
    const user = currentUser(c);
    const body = c.req.valid('json');
    if (!body.ids?.length && !body.runId) throw badRequest('Give the dead letter ids or a run id to replay.', [{ path: '/ids', message: 'ids or runId is required' }]);
    if (body.runId && !(await ctx.store.getRun(body.runId))) throw notFound(`Run ${body.runId} does not exist.`);
    const letters = await selectForReplay(ctx, body.ids, body.runId);
    if (!letters.length) throw conflict('None of the selected dead letters is open; nothing to replay.');
    const flows = new Set(letters.map((l) => l.flowId));
    if (flows.size > 1) throw new ApiProblem(422, `The selection spans flows ${[...flows].join(', ')}; replay one flow at a time.`, { problems: [{ path: '/ids', message: 'several flows' }] });
    const flowId = letters[0].flowId;
    const environment = letters[0].environment ?? ctx.environments[0].name;
    let version: number;
    if (body.against === 'deployed') {
      const deployed = await ctx.repos.deployments.getDeployment(flowId, environment);
      if (!deployed) throw conflict(`Flow '${flowId}' is not deployed to ${environment}; replay against the failed version instead.`);
      version = deployed.version;
    } else {
      const versions = new Set(letters.map((l) => l.version));
      if (versions.size > 1 || letters[0].version === null) throw new ApiProblem(422, 'The selected dead letters failed in different (or unknown) versions; replay against the deployed version, or select one version\'s.', { problems: [{ path: '/against', message: 'several versions' }] });
      version = letters[0].version;
    }
    const replayOf = body.runId ?? letters[0].runId;
    const deadLetterIds = letters.map((l) => l.id);
    const reference = body.reference ?? 'current';
    const asOf = referenceAsOf(reference, letters);
    const run = await ctx.launcher.enqueue({
      flowId, version, environment, trigger: 'replay', triggerRef: `${letters.length} dead letter(s) of ${replayOf}`, replayOf,
      input: { kind: 'records', records: replayRecords(letters) }, replayDeadLetterIds: deadLetterIds, referenceAsOf: asOf, requestedBy: user.username,
      // One entry naming the replay run (its id is short, however many dead letters it replays), in the run's transaction.
      alongside: (tx, queued) => ctx.repos.audit.append({
        actor: user.username, action: 'dead-letter.replay-queued', entity: 'run', entityId: queued.id,
        before: letters.map(brief), after: { runId: queued.id, version, against: body.against, reference, referenceAsOf: asOf, deadLetterIds },
      }, tx),
    });
    return c.json({ runId: run.id }, 202);
  });

  defineRoute(app, {
    ...api['POST /api/dead-letters/discard'], tags: ['Operations'], summary: 'Discard open dead letters with a reason', roles: OPERATORS,
    description: `Each discarded dead letter gets an audit entry, committed with the change.${IDEMPOTENCY_NOTE}`,
  }, async (c) => {
    const user = currentUser(c);
    const { ids, reason } = c.req.valid('json');
    const rows = await existingDeadLetters(ctx, ids);
    const closed = rows.find((row) => row.status !== 'open');
    if (closed) throw conflict(`Dead letter ${closed.id} is already ${closed.status}; nothing was discarded.`);
    // The status change and its audit entries commit together.
    await ctx.repos.sql.transaction(async (tx) => {
      await deadLettersRepo(tx as Db).setDeadLetterStatus(ids, 'discarded', reason);
      await ctx.repos.audit.append(rows.map((r) => ({ actor: user.username, action: 'dead-letter.discarded', entity: 'dead-letter' as const, entityId: String(r.id), before: brief(r), after: { ...brief(r), status: 'discarded', statusReason: reason } })), tx);
    });
    return c.json({ discarded: ids.length }, 200);
  });
}
