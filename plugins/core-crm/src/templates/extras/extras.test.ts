import { validateDocument, validateStructure } from '@forma/metadata';
import type { TemplateDocument } from '@forma/platform/plugin-api';
import { describe, expect, it } from 'vitest';
import { coreCrmDocument } from '../../document';
import { coreCrmSampleData } from '../../sample-data';
import { membershipTemplate } from '../membership';
import { productSalesTemplate } from '../product-sales';
import { projectSalesTemplate } from '../project-sales';
import { finishTemplate } from '.';

const core = (): TemplateDocument =>
  finishTemplate({
    name: 'core-crm',
    label: 'Core CRM',
    version: '0.1.0',
    document: coreCrmDocument(),
    sampleData: coreCrmSampleData(),
  } as TemplateDocument);

type Row = Record<string, unknown>;
type Rows = Record<string, Row[]>;

describe.each([
  ['core-crm', core],
  ['product-sales', () => finishTemplate(productSalesTemplate())],
  ['project-sales', () => finishTemplate(projectSalesTemplate())],
  ['membership', () => finishTemplate(membershipTemplate())],
])('template %s with its extras', (_name, build) => {
  const t = build();
  const data = t.sampleData as Rows;

  it('is valid, and generates the same rows every time (seeded, no clock, no Math.random)', () => {
    expect(validateStructure('template', t)).toEqual([]);
    expect(validateDocument(t.document)).toEqual([]);
    expect(JSON.stringify(build().sampleData)).toBe(JSON.stringify(data));
  });

  it('has hundreds of records, bulk rows marked and after the story', () => {
    const volume = Object.entries(data)
      .filter(([k]) => k !== 'users')
      .reduce((n, [, rows]) => n + rows.filter((r) => r._volume).length, 0);
    expect(volume).toBeGreaterThan(300);
    for (const rows of Object.values(data)) {
      const first = rows.findIndex((r) => r._volume);
      if (first >= 0) expect(rows.slice(first).every((r) => r._volume)).toBe(true);
    }
  });

  it('only refers to rows and users inserted before, and writes only fields of the document', () => {
    const seen = new Set<string>();
    const objects = (t.document.objects ?? {}) as Record<string, { properties: Record<string, unknown> }>;
    const problems: string[] = [];
    const check = (object: string, row: Record<string, unknown>) => {
      for (const [f, v] of Object.entries(row)) {
        if (f.startsWith('_')) continue;
        const p = objects[object]?.properties[f] as Record<string, any> | undefined;
        if (!p) problems.push(`${object}.${f} is not a field`);
        if (typeof v === 'string' && v.startsWith('@') && !seen.has(v.slice(1))) problems.push(`${object}.${f}=${v}`);
        if (Array.isArray(v) && p?.['x-children']) for (const c of v) check(p['x-children'].object, c);
      }
      for (const step of [...((row._then as Row[]) ?? []), ...((row._finally as Row[]) ?? [])]) check(object, step);
    };
    for (const u of data.users ?? []) if (u._key) seen.add(String(u._key));
    for (const [object, rows] of Object.entries(data)) {
      if (object === 'users') continue;
      for (const r of rows) {
        if (typeof r._owner === 'string' && !seen.has(r._owner.slice(1))) problems.push(`${object}._owner=${r._owner}`);
        check(object, r);
        if (r._key) seen.add(String(r._key));
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('ships a dashboard per role whose widgets name reports of the template', () => {
    const reports = t.document.reports ?? {};
    const dashboards = Object.values(t.document.dashboards ?? {});
    expect(dashboards.length).toBeGreaterThanOrEqual(2);
    for (const d of dashboards) for (const w of d!.widgets) expect(reports).toHaveProperty(w.report);
  });
});
