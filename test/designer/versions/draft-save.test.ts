import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../designer/api-client.ts';
import { createDesignerStore } from '../../../designer/store/designer-store.ts';
import { validateOnMainThread } from '../../../designer/store/main-thread-validator.ts';
import { saveDraftOnce } from '../../../designer/versions/draft-save.ts';
import type { FlowDocument } from '../../../nodes/flow-document.ts';
import { sampleFlow } from '../flow-fixture.ts';

/** A server holding one draft with a revision, refusing saves based on an older one (as PUT …/draft does). */
function fakeServer(draft: FlowDocument) {
  const server = { draft, revision: 1, updatedBy: 'analyst', sent: [] as (number | undefined)[] };
  const api = {
    async saveDraft(_id: string, document: FlowDocument, revision?: number) {
      server.sent.push(revision);
      if (revision !== undefined && revision !== server.revision) {
        throw new ApiError(409, { status: 409, detail: 'saved by someone else', revision: server.revision, updatedBy: server.updatedBy, updatedAt: '2026-12-05T08:00:00.000Z', draft: server.draft } as never);
      }
      server.draft = document;
      server.revision++;
      return { draft: document, revision: server.revision, problems: [] };
    },
  };
  return { server, api };
}

function opened() {
  const { server, api } = fakeServer(sampleFlow());
  const store = createDesignerStore({ problemsDelayMs: 0, validate: validateOnMainThread });
  store.getState().loadDocument(server.draft, server.revision);
  return { server, api, store, s: () => store.getState() };
}

describe('draft saves and conflicts', () => {
  it('sends the revision it is based on and moves to the one the server answers', async () => {
    const { server, api, store, s } = opened();
    s().updateNode('map', { label: 'Mine' });
    expect(await saveDraftOnce(store, api, 'f')).toBe('saved');
    s().updateNode('map', { label: 'Mine again' });
    expect(await saveDraftOnce(store, api, 'f')).toBe('saved');
    expect(server.sent).toEqual([1, 2]);
    expect(s().draftRevision).toBe(3);
    expect(await saveDraftOnce(store, api, 'f')).toBe('unchanged');
  });

  it('turns a save over someone else\'s newer save into a conflict and saves nothing more until resolved', async () => {
    const { server, api, store, s } = opened();
    const theirs = { ...sampleFlow(), name: 'Their edit' };
    server.draft = theirs; // someone else saved revision 2
    server.revision = 2;
    server.updatedBy = 'admin';
    s().updateNode('map', { label: 'Mine' });
    expect(await saveDraftOnce(store, api, 'f')).toBe('conflict');
    expect(s().draftConflict).toMatchObject({ revision: 2, updatedBy: 'admin', draft: { name: 'Their edit' } });
    s().updateNode('map', { label: 'Mine, edited further' });
    expect(await saveDraftOnce(store, api, 'f')).toBe('conflict');
    expect(server.sent).toEqual([1]);
    expect(server.draft).toBe(theirs);
  });

  it('reload takes their draft and drops the unsaved edit', async () => {
    const { server, api, store, s } = opened();
    server.revision = 2;
    server.draft = { ...sampleFlow(), name: 'Their edit' };
    s().updateNode('map', { label: 'Mine' });
    await saveDraftOnce(store, api, 'f');
    s().reloadConflictingDraft();
    expect(s().draftConflict).toBeNull();
    expect(s().document!.name).toBe('Their edit');
    expect(s().draftRevision).toBe(2);
    expect(await saveDraftOnce(store, api, 'f')).toBe('unchanged');
  });

  it('overwrite saves the user\'s document, based on the revision the conflict named', async () => {
    const { server, api, store, s } = opened();
    server.revision = 2;
    s().updateNode('map', { label: 'Mine' });
    await saveDraftOnce(store, api, 'f');
    s().overwriteConflictingDraft();
    expect(await saveDraftOnce(store, api, 'f')).toBe('saved');
    expect(server.sent).toEqual([1, 2]);
    expect(server.draft.nodes.find((n) => n.id === 'map')!.label).toBe('Mine');
  });

  it('keeps the key order of node configs through edits', () => {
    const { s } = opened();
    s().updateNodeConfig('post', { ...s().document!.nodes.find((n) => n.id === 'post')!.config, columns: { zeta: 'a', id: 'b', amount: 'c' } });
    s().updateNode('post', { label: 'Post' });
    expect(Object.keys(s().document!.nodes.find((n) => n.id === 'post')!.config.columns as object)).toEqual(['zeta', 'id', 'amount']);
  });
});
