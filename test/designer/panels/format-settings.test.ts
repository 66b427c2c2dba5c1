import { describe, expect, it } from 'vitest';
import { catalog } from '../../../nodes/catalog.ts';
import { formatSettingsShown } from '../../../designer/panels/schema-form/format-settings.ts';

const fileSource = catalog.get('source.file')!.configSchema as { properties: Record<string, Record<string, unknown>> };
const shown = (format: string | undefined) =>
  Object.keys(fileSource.properties).filter((name) => formatSettingsShown(fileSource.properties, format === undefined ? {} : { format }, name));

describe('only the chosen format\'s settings are shown', () => {
  it.each([
    ['xml', ['xml']],
    ['csv', ['csv']],
    ['json', ['json']],
    ['jsonl', ['json']],
    ['auto', ['csv', 'json', 'xml']],
    [undefined, ['csv', 'json', 'xml']],
  ])('format %s shows the groups %j (and every other field)', (format, groups) => {
    const names = shown(format);
    expect(names.filter((n) => ['csv', 'json', 'xml'].includes(n))).toEqual(groups);
    expect(names).toEqual(expect.arrayContaining(['format', 'encoding']));
  });

  it('leaves objects without a format choice alone', () => {
    expect(formatSettingsShown({ csv: { type: 'object' } }, {}, 'csv')).toBe(true);
  });
});
