/**
 * Validate a record: a JSON Schema, JSONata rules and reference data checks,
 * all evaluated so an analyst sees every problem at once. Any failed rule of
 * severity `error` sends the record to `invalid` (it is quarantined there);
 * warnings travel with a valid record without stopping it.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { AnyObject, Enum, Expression, Type, type Static } from '../config-schema.ts';
import { defineNode, type ConfigProblem, type Emission } from '../define-node.ts';
import { FlowError, type RuleFailure } from '../errors.ts';
import type { Bindings } from '../expression/evaluator.ts';
import {
  checkConfigExpressions,
  compileConfigExpression,
  compileConfigTemplate,
  type ConfigExpression,
  nodeError,
} from '../expression/config-expressions.ts';
import { isLimitBreach } from '../expression/jsonata-errors.ts';
import { templateText } from '../expression/message-template.ts';
import { isTruthy } from '../expression/truthy.ts';
import { keyFieldsOf } from '../reference-data.ts';
import { flowSchemaValidator } from '../schema-validator.ts';

const severity = Enum(['error', 'warning'], {
  title: 'Severity',
  description: 'An error sends the record to "invalid"; a warning is recorded but lets it through.',
  default: 'error',
});
const ruleId = Type.String({ title: 'Rule id', description: 'Short name shown with each failure, e.g. "vat-id-present".', minLength: 1 });
/** The record field a check is about, e.g. `supplier.vatId`. */
const field = Type.Optional(Type.String({ title: 'Field', description: 'The record field the rule is about, e.g. supplier.vatId.' }));
/** Shown when a check fails; may hold `{{expression}}` placeholders. */
const message = Type.String({
  title: 'Message',
  description: 'Shown when the check fails. {{expression}} is replaced by its value on the record, e.g. "Supplier {{supplier.vatId}} is unknown".',
});

const rule = Type.Object({
  id: ruleId,
  /** JSONata on the record; the rule holds when it is true (JSONata truthiness). */
  expression: Expression({ title: 'Condition', description: 'JSONata that is true for a good record, e.g. $decCmp(total, 0) > 0.', minLength: 1 }),
  message,
  severity,
  field,
}, { title: 'Rule', additionalProperties: false });

const referenceCheck = Type.Object({
  id: ruleId,
  /** Name of the reference data set, e.g. `suppliers`. */
  set: Type.String({ title: 'Reference data set', description: 'Name of a reference data set of the flow, e.g. suppliers.', minLength: 1 }),
  /** JSONata giving the key to look up; a list means every item must be in the set. */
  value: Expression({
    title: 'Value',
    description: 'JSONata giving the key to look up; when it gives a list, every item must exist (e.g. lines.costCentre). No value fails the check; write [lines.costCentre] to let a record without lines pass.',
    minLength: 1,
  }),
  /** JSONata giving the record's date, for a set with effective dates (valid from/to). */
  at: Type.Optional(Expression({
    title: 'Valid on',
    description: 'For a reference set with effective dates: JSONata giving the record\'s date (YYYY-MM-DD), e.g. invoiceDate. The value must exist in a row valid on that day.',
  })),
  message,
  severity,
  field,
}, { title: 'Reference check', additionalProperties: false });

const config = Type.Object({
  /** JSON Schema (2020-12 unless its `$schema` says draft-07) the record must match. */
  schema: Type.Optional(AnyObject({ title: 'JSON Schema', description: 'The shape every record must have (JSON Schema 2020-12). Each mismatch is a failure naming the field.' })),
  rules: Type.Array(rule, { title: 'Rules', description: 'JSONata conditions every record must meet; all are checked.', default: [] }),
  references: Type.Array(referenceCheck, {
    title: 'Reference data checks',
    description: 'Values that must exist in reference (master) data, e.g. supplier VAT ids, cost centres.',
    default: [],
  }),
}, { $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'Validate record', additionalProperties: false });

export type Severity = Static<typeof severity>;
export type ValidationRule = Static<typeof rule>;
export type ReferenceCheck = Static<typeof referenceCheck>;
export type ValidateConfig = Static<typeof config>;

/**
 * ajv compiles a schema with `new Function`, which the designer's Content-Security-Policy refuses
 * (EvalError); the flow's own schema cannot be compiled ahead like the declared ones
 * (nodes/schema-validator.ts), so the designer leaves it to the server: it is checked on save and in runs.
 * (The designer's build has no ajv compiler: its `flowSchemaValidator` throws the same EvalError.)
 */
const SCHEMA_CHECKED_ON_SERVER = 'The JSON Schema is checked by the server (on save and in runs), not in the designer';

// Once refused, not asked again: each refusal is also reported to the browser's console.
let codeGenerationRefused: EvalError | undefined;

function schemaValidator(schema: Record<string, unknown>): ValidateFunction {
  if (codeGenerationRefused) throw codeGenerationRefused;
  try {
    return flowSchemaValidator(schema);
  } catch (err) {
    if (err instanceof EvalError) codeGenerationRefused = err;
    throw err;
  }
}

function pointerToLabel(pointer: string): string {
  return pointer.replace(/^\//, '').replace(/\//g, '.') || 'the record';
}

/** One failure per schema error, `field` being the JSON pointer of the offending value. */
function schemaFailures(errors: ErrorObject[]): RuleFailure[] {
  return errors.map((e) => {
    let pointer = e.instancePath;
    let text = e.message ?? 'is not valid';
    if (e.keyword === 'required') {
      pointer = `${pointer}/${String((e.params as { missingProperty: string }).missingProperty)}`;
      text = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      pointer = `${pointer}/${String((e.params as { additionalProperty: string }).additionalProperty)}`;
      text = 'is not an allowed field';
    } else if (e.keyword === 'enum') {
      text = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    return { rule: 'schema', message: `${pointerToLabel(pointer)} ${text}`, severity: 'error' as const, field: pointer };
  });
}

function defaultReferenceMessage(value: unknown, missing: unknown[], set: string): string {
  if (value === undefined) return `No value to look up in reference data "${set}"`;
  const list = missing.map((v) => (typeof v === 'string' ? JSON.stringify(v) : templateText(v))).join(', ');
  return `${missing.length === 1 ? 'Value' : 'Values'} ${list} not found in reference data "${set}"`;
}

// Anything but an explicit warning stops the record: a typo in a severity must not let bad data through.
const severityOf = (severity: unknown): Severity => (severity === 'warning' ? 'warning' : 'error');

function withField<T extends RuleFailure>(failure: T, fieldName?: string): T {
  return fieldName ? { ...failure, field: fieldName } : failure;
}

/** The failure messages: `{{…}}` placeholders are expressions (the conditions and values are checked as expression fields). */
function messageTemplates(config: ValidateConfig): ConfigExpression[] {
  return [
    ...(config.rules ?? []).map((r, i) => ({ path: `/rules/${i}/message`, source: r.message ?? '', template: true })),
    ...(config.references ?? []).map((r, i) => ({ path: `/references/${i}/message`, source: r.message ?? '', template: true })),
  ];
}

function checkIds(config: ValidateConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  const visit = (id: string, path: string) => {
    if (!id) problems.push({ path, message: 'Every check needs an id' });
    else if (seen.has(id)) problems.push({ path, message: `The id "${id}" is used twice; failures would be ambiguous` });
    seen.add(id);
  };
  (config.rules ?? []).forEach((r, i) => {
    visit(r.id, `/rules/${i}/id`);
  });
  (config.references ?? []).forEach((r, i) => {
    visit(r.id, `/references/${i}/id`);
  });
  (config.references ?? []).forEach((r, i) => {
    if (!r.set) problems.push({ path: `/references/${i}/set`, message: 'Name the reference data set to look the value up in' });
  });
  if (config.schema !== undefined) {
    try {
      schemaValidator(config.schema);
    } catch (err) {
      if (err instanceof EvalError) return problems;
      problems.push({ path: '/schema', message: `The JSON Schema is not valid: ${(err as Error).message}` });
    }
  }
  return problems;
}

/** `validate.record`: schema, rules and reference checks; routes to `valid` or `invalid`. */
export const validateNode = defineNode({
  type: 'validate.record',
  version: 1,
  title: 'Validate record',
  description: 'Checks each record against a JSON Schema, rules and reference (master) data. Records failing any error-level check go to "invalid" with every failure listed.',
  category: 'validate',
  inputs: [{ id: 'in', title: 'In' }],
  outputs: [
    { id: 'valid', title: 'Valid' },
    { id: 'invalid', title: 'Invalid', quarantine: true },
  ],
  config,
  check(config, evaluator) {
    return [...checkIds(config), ...checkConfigExpressions(messageTemplates(config), evaluator)];
  },
  summary(config) {
    const parts: string[] = [];
    if (config.schema) parts.push('schema');
    if (config.rules?.length) parts.push(`${config.rules.length} rule${config.rules.length === 1 ? '' : 's'}`);
    if (config.references?.length) parts.push(`${config.references.length} reference check${config.references.length === 1 ? '' : 's'}`);
    return parts.length ? parts.join(', ') : 'no checks';
  },
  create(config, setup) {
    let validateSchema: ValidateFunction | undefined;
    let schemaNotChecked = false;
    try {
      validateSchema = config.schema ? schemaValidator(config.schema) : undefined;
    } catch (err) {
      if (!(err instanceof EvalError)) throw err;
      schemaNotChecked = true;
    }
    const rules = (config.rules ?? []).map((r, i) => ({
      rule: r,
      index: i,
      test: compileConfigExpression(setup, `/rules/${i}/expression`, r.expression),
      message: compileConfigTemplate(setup, `/rules/${i}/message`, r.message ?? ''),
    }));
    const references = (config.references ?? []).map((r, i) => {
      if (!setup.reference.definition(r.set)) {
        const known = setup.reference.names();
        throw new FlowError('mapping', `Node "${setup.nodeId}", reference check "${r.id}": reference data set "${r.set}" is not loaded${known.length ? ` (loaded: ${known.join(', ')})` : ''}`, {
          nodeId: setup.nodeId,
          field: `/references/${i}/set`,
        });
      }
      return {
        check: r,
        index: i,
        value: compileConfigExpression(setup, `/references/${i}/value`, r.value),
        at: r.at ? compileConfigExpression(setup, `/references/${i}/at`, r.at) : undefined,
        message: r.message ? compileConfigTemplate(setup, `/references/${i}/message`, r.message) : undefined,
      };
    });

    const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

    async function ruleFailure(entry: (typeof rules)[number], data: unknown, bindings: Bindings): Promise<RuleFailure | null> {
      const { rule } = entry;
      let ok: boolean;
      try {
        ok = isTruthy(await entry.test.evaluate(data, bindings));
      } catch (err) {
        if (isLimitBreach(err)) throw nodeError(err, setup.nodeId, `/rules/${entry.index}/expression`);
        return withField({ rule: rule.id, message: `Rule "${rule.id}" could not be checked: ${errorText(err)}`, severity: severityOf(rule.severity) }, rule.field);
      }
      if (ok) return null;
      return withField({ rule: rule.id, message: await entry.message.render(data, bindings), severity: severityOf(rule.severity) }, rule.field);
    }

    async function referenceFailure(entry: (typeof references)[number], data: unknown, bindings: Bindings): Promise<RuleFailure | null> {
      const { check } = entry;
      let value: unknown;
      let at: unknown;
      try {
        value = await entry.value.evaluate(data, bindings);
        at = await entry.at?.evaluate(data, bindings);
      } catch (err) {
        if (isLimitBreach(err)) throw nodeError(err, setup.nodeId, `/references/${entry.index}/value`);
        return withField({ rule: check.id, message: `Reference check "${check.id}" could not be evaluated: ${errorText(err)}`, severity: severityOf(check.severity) }, check.field);
      }
      // A composite key is one list of its parts; a list of such lists checks each.
      const composite = keyFieldsOf(setup.reference.definition(check.set)?.key ?? '').length > 1;
      const single = !Array.isArray(value) || (composite && !value.some(Array.isArray));
      const keys: unknown[] = single ? [value] : (value as unknown[]);
      let missing: unknown[];
      try {
        missing = keys.filter((k) => !setup.reference.lookup(check.set, k, at)?.length);
      } catch (err) {
        return withField({ rule: check.id, message: `Reference check "${check.id}": ${errorText(err)}`, severity: severityOf(check.severity) }, check.field);
      }
      if (missing.length === 0) return null;
      const text = entry.message ? await entry.message.render(data, bindings) : defaultReferenceMessage(value, missing, check.set);
      return withField({ rule: check.id, message: text, severity: severityOf(check.severity) }, check.field);
    }

    return {
      async process(data, bindings): Promise<Emission[]> {
        const failures: RuleFailure[] = [];
        if (validateSchema && !validateSchema(data)) failures.push(...schemaFailures(validateSchema.errors ?? []));
        if (schemaNotChecked) failures.push({ rule: 'schema', message: SCHEMA_CHECKED_ON_SERVER, severity: 'warning' });
        // One after another: concurrent jsonata evaluation is slower, not faster (FACTS.md).
        for (const entry of rules) {
          const failure = await ruleFailure(entry, data, bindings);
          if (failure) failures.push(failure);
        }
        for (const entry of references) {
          const failure = await referenceFailure(entry, data, bindings);
          if (failure) failures.push(failure);
        }
        if (failures.some((f) => f.severity === 'error')) return [{ port: 'invalid', data, failures }];
        return [failures.length ? { port: 'valid', data, failures } : { port: 'valid', data }];
      },
    };
  },
});
