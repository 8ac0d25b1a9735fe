import type { TFunction } from 'i18next';
import { Trash2 } from 'lucide-react';
import { enumLabel, fieldLabel, objectLabel } from '../i18n/pick-label';
import type { AppMeta, FieldSchema } from '../meta/meta-types';
import { fieldsFedBy } from '../records/line-defaults';
import { Button } from '../ui';
import { isLocalId } from './briefcase';
import type { BriefcaseRecord, Fields } from './briefcase-db';
import { displayValue, recordName } from './briefcase-labels';
import type { LineSpec } from './briefcase-reference';
import { editableFields, inputKind, inputText, parseInput } from './field-inputs';

/** The child's fields a rep types on a line: not the link back to the parent. */
export function lineFields(meta: AppMeta, spec: LineSpec): Array<[string, FieldSchema]> {
  return editableFields(meta.objects[spec.child]).filter(([name]) => name !== spec.link);
}

/** A new line starts with the child's declared defaults, as the online grid's rows do. */
export function newLine(meta: AppMeta, spec: LineSpec): Fields {
  const row: Fields = {};
  for (const [name, f] of lineFields(meta, spec)) if (f.default !== undefined) row[name] = f.default;
  return row;
}

/** What goes to the server: only what the rep typed (a filled-in price is left to the server's own rule). */
export function typedLine(row: Fields): Fields {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null && v !== undefined && v !== ''));
}

function computedOf(meta: AppMeta, child: string): string[] {
  return Object.entries(meta.objects[child]?.properties ?? {})
    .filter(([, f]) => f['x-formula'] || f['x-rollup'])
    .map(([n]) => n);
}

export function formatComputed(v: unknown, lang: string, t: TFunction): string {
  if (typeof v === 'number') return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(v);
  return v === null || v === undefined || v === '' ? t('briefcase.none') : String(v);
}

interface Props {
  meta: AppMeta;
  spec: LineSpec;
  lang: string;
  t: TFunction;
  records: BriefcaseRecord[];
  /** What the rep typed per line. */
  rows: Fields[];
  /** Per line, the values the server's rules give (typed values, filled-in defaults, formulas). */
  shown: Fields[];
  /** Filled-in defaults per line (shown, not sent). */
  filled: Fields[];
  /** Absent: the lines are read as the server saved them. */
  onChange?: (rows: Fields[]) => void;
}

/**
 * A record's line items on the phone, as stacked cards: while the record is a create waiting on
 * the phone each line is edited (a product picked by name from the briefcase, its price filled as
 * the server would fill it, amounts as the server computes them), afterwards the server's lines.
 */
export function BriefcaseLines({ meta, spec, lang, t, records, rows, shown, filled, onChange }: Props) {
  const child = meta.objects[spec.child]!;
  const fields = lineFields(meta, spec);
  const computed = computedOf(meta, spec.child);
  const writable = fields.map(([n]) => n);
  const update = (i: number, name: string, f: FieldSchema, raw: string) => {
    const next = rows.map((r) => ({ ...r }));
    next[i]![name] = parseInput(f, raw);
    // Another product brings that product's price: what the rep typed for the old one goes.
    for (const fed of fieldsFedBy(child, name, writable)) delete next[i]![fed];
    onChange?.(next);
  };
  const options = (target: string) => records.filter((r) => r.object === target);

  return (
    <div className="f-briefcase__lines" data-testid={`briefcase-lines-${spec.field}`}>
      {rows.length === 0 && <p className="f-briefcase__muted">{t('webApp.linesEmpty')}</p>}
      {rows.map((row, i) => {
        const label = t('webApp.linesRow', { n: i + 1 });
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines have no id until the server saves them
          <fieldset key={i} className="f-briefcase__line" aria-label={label}>
            <legend className="f-briefcase__line-head">
              <span>{label}</span>
              {onChange && (
                <Button
                  variant="ghost"
                  icon={<Trash2 size={16} aria-hidden="true" />}
                  aria-label={t('webApp.linesRemove', { n: i + 1 })}
                  onClick={() => onChange(rows.filter((_, j) => j !== i))}
                />
              )}
            </legend>
            {fields.map(([name, f]) => {
              const id = `bl-${spec.field}-${i}-${name}`;
              const fieldTitle = fieldLabel(child, name, lang);
              const value = row[name] !== undefined ? row[name] : shown[i]?.[name];
              const kind = inputKind(f);
              if (!onChange)
                return (
                  <div key={name} className="f-briefcase__line-field">
                    <span className="f-briefcase__muted">{fieldTitle}</span>
                    <span>{displayValue(meta, spec.child, name, shown[i]?.[name], records, lang, t)}</span>
                  </div>
                );
              return (
                <div key={name} className="f-field f-briefcase__line-field">
                  <label className="f-field__label" htmlFor={id}>
                    {fieldTitle}
                  </label>
                  {kind === 'lookup' || kind === 'select' ? (
                    <select
                      id={id}
                      className="f-briefcase__control"
                      value={inputText(f, value)}
                      onChange={(e) => update(i, name, f, e.target.value)}
                    >
                      <option value="">{t('briefcase.none')}</option>
                      {kind === 'lookup'
                        ? options(String(f['x-ref'])).map((r) => (
                            <option key={r.id} value={r.id}>
                              {recordName(meta, r.object, r.local, objectLabel(r.object, meta.objects[r.object], lang))}
                              {isLocalId(r.id) ? ` (${t('briefcase.pending')})` : ''}
                            </option>
                          ))
                        : (f.enum ?? []).map((v) => (
                            <option key={String(v)} value={String(v)}>
                              {enumLabel(f, String(v), lang)}
                            </option>
                          ))}
                    </select>
                  ) : (
                    <input
                      id={id}
                      className="f-briefcase__control"
                      type={kind === 'number' || kind === 'date' ? kind : 'text'}
                      step={kind === 'number' ? 'any' : undefined}
                      value={inputText(f, value)}
                      onChange={(e) => update(i, name, f, e.target.value)}
                    />
                  )}
                  {row[name] === undefined && filled[i]?.[name] !== undefined && (
                    <span className="f-briefcase__muted">{t('briefcase.filledAtSync')}</span>
                  )}
                </div>
              );
            })}
            {computed.map((name) => (
              <div key={name} className="f-briefcase__line-field">
                <span className="f-briefcase__muted">{fieldLabel(child, name, lang)}</span>
                <output data-field={name}>{formatComputed(shown[i]?.[name], lang, t)}</output>
              </div>
            ))}
          </fieldset>
        );
      })}
      {onChange && <Button onClick={() => onChange([...rows, newLine(meta, spec)])}>{t('webApp.linesAdd')}</Button>}
    </div>
  );
}
