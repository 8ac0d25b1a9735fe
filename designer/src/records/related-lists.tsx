import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Link2, Plus } from 'lucide-react';
import { enumLabel, fieldLabel, objectLabel } from '../i18n/pick-label';
import type { AppMeta, ObjectSchema } from '../meta/meta-types';
import { useSession } from '../session/session-context';
import { Card, DataTable, EmptyState, ErrorState, LoadingState } from '../ui';
import { labelFieldOf } from './field-kind';
import { formatValue, isNumericField } from './format-value';
import { defaultView } from './list-view';
import { LookupValue } from './lookup-value';
import type { RecordRow } from './records-api';
import { isEndpointMissing, recordKeys, useRecordsApi } from './use-records-api';

/** Every (object, lookup field) pair in the metadata that points at `object`. */
export function referencesTo(meta: AppMeta, object: string): Array<{ object: string; field: string }> {
  const out: Array<{ object: string; field: string }> = [];
  for (const [name, schema] of Object.entries(meta.objects))
    for (const [field, f] of Object.entries(schema.properties ?? {}))
      if (f['x-ref'] === object && f['x-access'] !== 'none') out.push({ object: name, field });
  return out;
}

function RelatedList({
  meta,
  object,
  field,
  id,
  lang,
}: {
  meta: AppMeta;
  object: string;
  field: string;
  id: string;
  lang: string;
}) {
  const { t } = useTranslation();
  const records = useRecordsApi();
  const { tenant } = useSession();
  const schema = meta.objects[object]!;
  const label = objectLabel(object, schema, lang);
  const group = groupFieldOf(schema);
  const columns = defaultView(schema, label)
    .columns.filter((c) => c !== field && c !== group)
    .slice(0, 4);
  // Lookup columns come back as their records (a quote's account and contact), named and linked.
  const refOf = (c: string) => {
    const ref = c === 'owner' ? 'user' : schema.properties?.[c]?.['x-ref'];
    return typeof ref === 'string' && (ref === 'user' || meta.objects[ref]) ? ref : undefined;
  };
  const expand = columns.filter((c) => refOf(c));
  const list = useQuery({
    queryKey: recordKeys.list(tenant, object, { related: field, id, expand, group }),
    queryFn: ({ signal }) =>
      records.list(
        object,
        {
          filter: { [field]: { eq: id } },
          // Grouped lists show the whole set (a deal's buying centre), ungrouped ones the latest ten.
          limit: group ? GROUPED_LIMIT : 10,
          sort: '-created_at',
          ...(expand.length ? { expand } : {}),
        },
        signal,
      ),
  });
  const first = labelFieldOf(schema) ?? columns[0];
  // Two lookups of one object to the same target (e.g. billing and shipping account) need telling apart.
  const sameTarget = Object.values(schema.properties ?? {}).filter(
    (f) => f['x-ref'] === schema.properties?.[field]?.['x-ref'],
  );
  const title = sameTarget.length > 1 ? `${label} (${fieldLabel(schema, field, lang)})` : label;
  return (
    <Card
      title={title}
      actions={
        <Link className="f-btn f-btn--ghost f-btn--sm" to={`/o/${object}/new?${new URLSearchParams({ [field]: id })}`}>
          <Plus size={16} aria-hidden="true" />
          <span className="f-btn__label">{t('list.newRecord')}</span>
        </Link>
      }
    >
      {list.isPending ? (
        <LoadingState compact label={t('common.loading')} />
      ) : list.isError ? (
        isEndpointMissing(list.error) ? (
          <EmptyState compact title={t('list.unavailableTitle')} />
        ) : (
          <ErrorState compact title={t('errors.title')} body={list.error.message} />
        )
      ) : group && list.data.items.length > 0 ? (
        <div className="f-related__groups">
          {groupsOf(schema, group, list.data.items, lang, t('record.relatedUngrouped')).map((g) => (
            <section key={g.key} className="f-related__group" aria-label={`${g.label} (${g.rows.length})`}>
              <h4 className="f-related__group-title">
                {g.label} <span className="f-related__group-count">{g.rows.length}</span>
              </h4>
              {table(g.rows, `${title}: ${g.label}`)}
            </section>
          ))}
        </div>
      ) : (
        table(list.data.items, title)
      )}
    </Card>
  );

  function table(rows: RecordRow[], caption: string) {
    return (
      <DataTable<RecordRow>
        caption={caption}
        rows={rows}
        rowKey={(r) => r.id}
        empty={
          <EmptyState
            compact
            icon={<Link2 size={18} aria-hidden="true" />}
            title={t('record.relatedEmpty', { label })}
          />
        }
        columns={columns.map((c) => ({
          key: c,
          header: fieldLabel(schema, c, lang),
          align: isNumericField(schema.properties?.[c]) ? 'end' : 'start',
          render: (row: RecordRow) => {
            const ref = refOf(c);
            // A lookup reads as the record it names, also when it is the label (a contact role is its contact).
            if (ref && row[c]) return <LookupValue target={ref} value={row[c]} expanded />;
            const text = formatValue(schema.properties?.[c], row[c], lang);
            return c === first ? (
              <Link className="f-list__open" to={`/o/${object}/${row.id}`}>
                {text || t('list.untitled')}
              </Link>
            ) : (
              text
            );
          },
        }))}
      />
    );
  }
}

const GROUPED_LIMIT = 200;

/** The object's `x-related-group` when it names one of its picklist fields (docs/metadata.md). */
function groupFieldOf(schema: ObjectSchema): string | undefined {
  const g = schema['x-related-group'];
  return typeof g === 'string' && Array.isArray(schema.properties?.[g]?.enum) ? g : undefined;
}

/** Rows by the group field's value, in the order of its choices; rows without one last. */
export function groupsOf(
  schema: ObjectSchema,
  group: string,
  rows: RecordRow[],
  lang: string,
  ungrouped: string,
): Array<{ key: string; label: string; rows: RecordRow[] }> {
  const def = schema.properties?.[group];
  const choices = (def?.enum ?? []).map(String);
  const out = choices.map((v) => ({ key: v, label: enumLabel(def, v, lang), rows: [] as RecordRow[] }));
  const none = { key: '', label: ungrouped, rows: [] as RecordRow[] };
  for (const row of rows) {
    const v = row[group];
    (out.find((g) => g.key === v) ?? none).rows.push(row);
  }
  return [...out, none].filter((g) => g.rows.length > 0);
}

/** Lists of the records that point at this one, one card per referencing lookup field. */
export function RelatedLists({ meta, object, id, lang }: { meta: AppMeta; object: string; id: string; lang: string }) {
  const { t } = useTranslation();
  const refs = referencesTo(meta, object);
  if (refs.length === 0) return <EmptyState compact title={t('record.relatedNone')} />;
  return (
    <div className="f-record__related">
      {refs.map((r) => (
        <RelatedList key={`${r.object}.${r.field}`} meta={meta} object={r.object} field={r.field} id={id} lang={lang} />
      ))}
    </div>
  );
}
