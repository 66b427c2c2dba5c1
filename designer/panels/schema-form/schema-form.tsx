/**
 * A form generated from a node type's config schema: the same JSON Schema the
 * runtime validates with. Objects become sections, arrays of objects become
 * card lists, string maps become key/value tables, expression fields get the
 * JSONata editor, `connection` fields choose among named connections.
 */
import type { JsonSchema } from '../../../nodes/define-node.ts';
import { matchesPointer, useFormContext } from './form-context.ts';
import { EnumSelect, FieldShell, NumberInput, TextInput, Toggle } from './widgets.tsx';
import { ObjectListField, StringListField, StringMapField } from './collection-fields.tsx';
import { JsonField } from './json-field.tsx';
import { ExpressionInput } from './expression-input.tsx';
import { ConnectionSelect } from './connection-select.tsx';
import { OneOfField } from './one-of-field.tsx';
import { formatSettingsShown } from './format-settings.ts';

type Schema = Record<string, unknown>;

export interface FieldProps {
  schema: Schema;
  value: unknown;
  onChange: (value: unknown) => void;
  pointer: string;
  name: string;
  required?: boolean;
}

/** Title of a property: the schema's title, else the key in words. */
export function titleOf(schema: Schema, name: string): string {
  if (typeof schema.title === 'string') return schema.title;
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

const hasType = (s: Schema, t: string) => s.type === t || (Array.isArray(s.type) && s.type.includes(t));

export function SchemaForm({ schema, value, onChange }: { schema: JsonSchema; value: Record<string, unknown>; onChange: (v: Record<string, unknown>) => void }) {
  return <ObjectFields schema={schema as Schema} value={value} onChange={onChange} pointer="" />;
}

/** The properties of an object schema, in declaration order. */
export function ObjectFields({ schema, value, onChange, pointer }: { schema: Schema; value: Record<string, unknown>; onChange: (v: Record<string, unknown>) => void; pointer: string }) {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const obj = value ?? {};
  return (
    <div className="form-fields">
      {Object.entries(props).filter(([name]) => formatSettingsShown(props, obj, name)).map(([name, s]) => (
        <Field
          key={name}
          name={name}
          schema={s}
          pointer={`${pointer}/${name}`}
          required={required.has(name)}
          value={obj[name]}
          onChange={(v) => {
            const next = { ...obj };
            if (v === undefined) delete next[name];
            else next[name] = v;
            onChange(next);
          }}
        />
      ))}
    </div>
  );
}

export function Field(props: FieldProps) {
  const { schema, value, onChange, pointer, name, required } = props;
  const ctx = useFormContext();
  const label = titleOf(schema, name);
  const description = typeof schema.description === 'string' ? schema.description : undefined;
  const shown = value === undefined ? schema.default : value;
  const shell = (child: React.ReactNode, inline = false) => (
    <FieldShell label={label} pointer={pointer} required={required} description={description} inline={inline}>{child}</FieldShell>
  );

  if (matchesPointer(ctx.expressionFields, pointer) && hasType(schema, 'string')) {
    return shell(<ExpressionInput value={String(shown ?? '')} onChange={onChange} pointer={pointer} />);
  }
  if (name === 'connection' && ctx.connectionKind && hasType(schema, 'string')) {
    return shell(<ConnectionSelect value={String(value ?? '')} onChange={onChange} />);
  }
  if (Array.isArray(schema.enum)) return shell(<EnumSelect options={schema.enum} value={shown} onChange={onChange} readOnly={ctx.readOnly} />);
  if (Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf)) return shell(<OneOfField {...props} />);
  if (hasType(schema, 'boolean')) {
    return <FieldShell label="" pointer={pointer} description={description}><Toggle checked={shown === true} onChange={onChange} label={label} readOnly={ctx.readOnly} /></FieldShell>;
  }
  if (hasType(schema, 'integer') || hasType(schema, 'number')) {
    return shell(<NumberInput value={shown as number | undefined} onChange={onChange} integer={hasType(schema, 'integer')} min={schema.minimum as number} max={schema.maximum as number} readOnly={ctx.readOnly} />);
  }
  if (hasType(schema, 'string')) {
    const multiline = name === 'query' || name === 'message';
    return shell(<TextInput value={String(shown ?? '')} onChange={(v) => onChange(v === '' && !required ? undefined : v)} multiline={multiline} mono={name === 'query'} readOnly={ctx.readOnly} placeholder={Array.isArray(schema.examples) ? `e.g. ${schema.examples.slice(0, 2).join(', ')}` : undefined} />);
  }
  if (hasType(schema, 'array')) {
    const items = (schema.items ?? {}) as Schema;
    if (hasType(items, 'object')) return <ObjectListField {...props} label={label} description={description} />;
    return shell(<StringListField value={(shown as string[] | undefined) ?? []} onChange={onChange} />);
  }
  if (hasType(schema, 'object')) {
    if (schema.properties) {
      return (
        <details className="form-section" open>
          <summary>{label}{required && <span className="required">*</span>}</summary>
          {description && <p className="field-help">{description}</p>}
          <ObjectFields schema={schema} value={(value as Record<string, unknown>) ?? {}} onChange={(v) => onChange(Object.keys(v).length ? v : undefined)} pointer={pointer} />
        </details>
      );
    }
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
      return <StringMapField {...props} label={label} description={description} />;
    }
    return shell(<JsonField value={value} onChange={onChange} />);
  }
  return shell(<JsonField value={value} onChange={onChange} />);
}
