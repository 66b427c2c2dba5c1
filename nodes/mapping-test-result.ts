/**
 * What one mapping test gives (runtime/mapping-tests.ts), written once as a
 * zod schema: the API contract serves and checks it (runtime/api/contract),
 * and its TypeScript type is inferred from it. Kept apart from
 * value-diff.ts so the designer, which runs diffs, does not bundle zod.
 */
import { z } from 'zod';
import type { ValueDifference } from './value-diff.ts';

const JsonValue = z.unknown().meta({ description: 'Any JSON value (record data)' });

export const ValueDifferenceSchema = z.strictObject({
  path: z.string(), kind: z.enum(['changed', 'added', 'removed']), expected: JsonValue.optional(), actual: JsonValue.optional(),
}).meta({ id: 'ValueDifference' }) satisfies z.ZodType<ValueDifference>;

export const MappingTestResultSchema = z.strictObject({
  name: z.string(),
  node: z.string().nullable(),
  passed: z.boolean(),
  expected: JsonValue,
  actual: JsonValue.optional().meta({ description: 'Absent when the record did not get through (see `error`)' }),
  differences: z.array(ValueDifferenceSchema),
  /** Set when the record did not get through (quarantined, dead-lettered, run failed). */
  error: z.string().optional(),
}).meta({ id: 'MappingTestResult' });

export type MappingTestResult = z.infer<typeof MappingTestResultSchema>;
