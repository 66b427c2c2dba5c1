/** Results of the last test run and of the mapping tests. */
import type { StateCreator } from 'zustand/vanilla';
import type { MappingTestResult, TestRunResult } from '../../runtime/api/contract/schemas.ts';
import type { DesignerState } from './designer-store.ts';

export type Pending<T> = { status: 'idle' } | { status: 'running' } | { status: 'done'; result: T; revision: number; at: number } | { status: 'failed'; message: string };

export interface TestRunState {
  testRun: Pending<TestRunResult>;
  mappingTests: Pending<MappingTestResult[]>;
}

export interface TestRunActions {
  setTestRun(state: Pending<TestRunResult>): void;
  setMappingTests(state: Pending<MappingTestResult[]>): void;
  clearTestRun(): void;
}

export type TestRunSlice = TestRunState & TestRunActions;

export const createTestRunSlice: StateCreator<DesignerState, [], [], TestRunSlice> = (set) => ({
  testRun: { status: 'idle' },
  mappingTests: { status: 'idle' },
  setTestRun: (testRun) => set({ testRun }),
  setMappingTests: (mappingTests) => set({ mappingTests }),
  clearTestRun: () => set({ testRun: { status: 'idle' } }),
});

/** The finished test run, or null. */
export function testRunResult(s: TestRunState): TestRunResult | null {
  return s.testRun.status === 'done' ? s.testRun.result : null;
}

const statsCache = new WeakMap<TestRunResult, Map<string, TestRunResult['nodes'][number]>>();

/** A node's counts from the last finished test run (indexed once per result: 300 cards ask on every change). */
export function nodeStatsOf(s: TestRunState, nodeId: string): TestRunResult['nodes'][number] | undefined {
  if (s.testRun.status !== 'done') return undefined;
  const result = s.testRun.result;
  let map = statsCache.get(result);
  if (!map) statsCache.set(result, (map = new Map(result.nodes.map((n) => [n.nodeId, n]))));
  return map.get(nodeId);
}
