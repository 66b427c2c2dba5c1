/** Dead letters (quarantined and dead-lettered records): list, replay after a fix, discard with a reason. */
import { ANY_ROLE, OPERATORS } from '../../auth/roles.ts';
import { ERROR_CLASSES } from '../../../nodes/errors.ts';
import { discardDeadLetters, replayDeadLetters } from '../../app/dead-letters.ts';
import type { DeadLetterRow, DeadLetterStatus } from '../../store/store.ts';
import { idempotent } from '../middleware/idempotency.ts';
import { appDeps, type Api, type ApiContext } from '../app-env.ts';
import { defineRoute } from '../define-route.ts';
import { api } from '../contract/routes.ts';
import { currentUser } from '../middleware/auth.ts';

/**
 * A dead letter as the API shows it: without the stored source record, which
 * is kept unredacted for replay only. Its lineage (masked) is the run's trace.
 */
const listed = ({ sourceRecord: _unmasked, ...rest }: DeadLetterRow) => rest;

const IDEMPOTENCY_NOTE = ' Send an `Idempotency-Key` header (e.g. a UUID) to make a retry safe: the same key gives the first answer again instead of doing the work twice.';

export function registerDeadLetterRoutes(app: Api, ctx: ApiContext): void {
  app.use('/api/dead-letters/replay', idempotent(ctx.repos.sql));
  app.use('/api/dead-letters/discard', idempotent(ctx.repos.sql));
  defineRoute(app, {
    ...api['GET /api/dead-letters'], tags: ['Operations'], summary: 'Dead letters, newest first, with open counts by error class', roles: ANY_ROLE,
  }, async (c) => {
    const q = c.req.valid('query');
    const page = await ctx.store.listDeadLetters({ flowId: q.flow, errorClass: q.errorClass, status: q.status as DeadLetterStatus | undefined, olderThan: q.olderThan, runId: q.runId }, { limit: q.limit ?? 50, cursor: q.cursor });
    const found = await ctx.database.ops.deadLetterCountsByClass(q.status ?? 'open', q.flow);
    const countsByClass: Record<string, number> = Object.fromEntries([...ERROR_CLASSES.map((k) => [k, 0] as const), ...found]);
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
    const body = c.req.valid('json');
    const { run } = await replayDeadLetters(appDeps(ctx), {
      ids: body.ids, runId: body.runId, against: body.against, reference: body.reference,
      defaultEnvironment: ctx.environments[0].name, actor: currentUser(c).username,
    });
    return c.json({ runId: run.id }, 202);
  });

  defineRoute(app, {
    ...api['POST /api/dead-letters/discard'], tags: ['Operations'], summary: 'Discard open dead letters with a reason', roles: OPERATORS,
    description: `Each discarded dead letter gets an audit entry, committed with the change.${IDEMPOTENCY_NOTE}`,
  }, async (c) => {
    const { ids, reason } = c.req.valid('json');
    await discardDeadLetters(appDeps(ctx), { ids, reason, actor: currentUser(c).username });
    return c.json({ discarded: ids.length }, 200);
  });
}
