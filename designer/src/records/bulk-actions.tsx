import { emailFieldsOf, MailMergeDialog } from '../documents/mail-merge-dialog';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Mail, PencilLine, Trash2, UserRoundCog, X } from 'lucide-react';
import { useApi } from '../api/api-context';
import { fieldErrorText } from '../i18n/error-text';
import { enumLabel, fieldLabel } from '../i18n/pick-label';
import type { FieldSchema, ObjectSchema } from '../meta/meta-types';
import { useSession } from '../session/session-context';
import { Button, Dialog, IconButton, useToast } from '../ui';
import { type BulkOutcome, type BulkTarget, MAX_SELECTION, runBulk } from './bulk-api';
import { ExportMenu } from './export-menu';
import { isComputed, valueKind } from './field-kind';
import { andFilters, type ApiFilter } from './filter-model';
import { recordKeys } from './use-records-api';
import './bulk-actions.css';

const EDITABLE_KINDS = new Set([
  'text',
  'textarea',
  'email',
  'url',
  'select',
  'number',
  'currency',
  'percent',
  'integer',
  'boolean',
  'date',
  'datetime',
]);

/** Fields a bulk update may set: plain, writable ones (lookups and line items are edited per record). */
export function bulkEditableFields(schema: ObjectSchema): string[] {
  return Object.entries(schema.properties ?? {})
    .filter(
      ([, f]) =>
        !isComputed(f) &&
        f.readOnly !== true &&
        f['x-access'] !== 'read' &&
        f['x-access'] !== 'none' &&
        EDITABLE_KINDS.has(valueKind(f)),
    )
    .map(([n]) => n);
}

/** The typed value of the bulk update's input; empty clears the field. */
export function bulkValue(f: FieldSchema, raw: string): unknown {
  if (raw === '') return null;
  switch (valueKind(f)) {
    case 'number':
    case 'currency':
    case 'percent':
    case 'integer':
      return Number(raw);
    case 'boolean':
      return raw === 'true';
    case 'datetime':
      return new Date(raw).toISOString();
    default:
      return raw;
  }
}

interface UserRow {
  id: string;
  name?: string;
  email?: string;
}

interface BulkActionsProps {
  object: string;
  schema: ObjectSchema;
  lang: string;
  selected: string[];
  /** The list's own filter (view and user filters): the handover's "all their records" stays inside it. */
  listFilter: ApiFilter | undefined;
  sort: string[];
  onClear(): void;
}

type Running = { title: string; done: number; total: number };

/** The bar above a list with a selection: update a field, change owner (handover), export, delete. */
export function BulkActions({ object, schema, lang, selected, listFilter, sort, onClear }: BulkActionsProps) {
  const { t } = useTranslation();
  const api = useApi();
  const session = useSession();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<'update' | 'owner' | 'delete' | undefined>();
  const [merging, setMerging] = useState(false);
  const [running, setRunning] = useState<Running | undefined>();
  const [report, setReport] = useState<BulkOutcome | undefined>();
  const [field, setField] = useState('');
  const [value, setValue] = useState('');
  const [owner, setOwner] = useState('');
  const [scope, setScope] = useState<'selected' | 'allOf'>('selected');
  const [from, setFrom] = useState('');
  const fields = bulkEditableFields(schema);
  const users = useQuery({
    queryKey: ['users', session.tenant, 'picker'],
    queryFn: ({ signal }) => api.get<{ items: UserRow[] }>('/api/users', { signal }),
    enabled: dialog === 'owner',
  });
  const tooMany = selected.length > MAX_SELECTION;

  const run = async (
    title: string,
    action: { action: 'update'; changes: Record<string, unknown> } | { action: 'delete' },
    target: BulkTarget,
  ) => {
    setRunning({ title, done: 0, total: 'ids' in target ? target.ids.length : 0 });
    try {
      const outcome = await runBulk(api, object, action, target, (done, total) => setRunning({ title, done, total }));
      setDialog(undefined);
      // With refusals the selection stays (and with it this bar) until the report is closed.
      if (outcome.refused.length) {
        setReport(outcome);
        return;
      }
      toast({
        tone: 'success',
        title:
          action.action === 'delete'
            ? t('list.deleted', { count: outcome.done })
            : t('bulk.reportAllDone', { done: outcome.done }),
      });
      onClear();
    } catch (e) {
      toast({ tone: 'error', title: (e as Error).message });
    } finally {
      setRunning(undefined);
      await queryClient.invalidateQueries({ queryKey: recordKeys.object(session.tenant, object) });
    }
  };

  const f = schema.properties?.[field];
  const progress = running && (
    <div className="f-bulk__progress" role="status">
      <progress max={Math.max(1, running.total)} value={running.done} />
      <span>{t('bulk.progress', { done: running.done, total: running.total || '…' })}</span>
    </div>
  );

  return (
    <section className="f-list__bulk f-bulk" aria-label={t('bulk.actions')}>
      <span>{t('list.selected', { count: selected.length })}</span>
      {tooMany ? (
        <span role="alert">{t('bulk.tooMany', { max: MAX_SELECTION })}</span>
      ) : (
        <>
          {fields.length > 0 && (
            <Button size="sm" icon={<PencilLine size={16} aria-hidden="true" />} onClick={() => setDialog('update')}>
              {t('bulk.updateField')}
            </Button>
          )}
          <Button size="sm" icon={<UserRoundCog size={16} aria-hidden="true" />} onClick={() => setDialog('owner')}>
            {t('bulk.changeOwner')}
          </Button>
          {emailFieldsOf(schema).length > 0 && (
            <Button size="sm" icon={<Mail size={16} aria-hidden="true" />} onClick={() => setMerging(true)}>
              {t('mailMerge.button')}
            </Button>
          )}
          <ExportMenu
            object={object}
            filter={{ id: { in: selected } }}
            sort={sort}
            label={t('bulk.exportSelection')}
            size="sm"
          />
          <Button
            variant="danger"
            size="sm"
            icon={<Trash2 size={16} aria-hidden="true" />}
            onClick={() => setDialog('delete')}
          >
            {t('list.deleteSelected')}
          </Button>
        </>
      )}
      <IconButton label={t('common.close')} icon={<X size={16} aria-hidden="true" />} onClick={onClear} />
      {merging && (
        <MailMergeDialog
          open={merging}
          onClose={() => setMerging(false)}
          object={object}
          schema={schema}
          filter={{ id: { in: selected } }}
          lang={lang}
        />
      )}

      <Dialog
        open={dialog === 'update'}
        onOpenChange={(o) => !running && setDialog(o ? 'update' : undefined)}
        title={t('bulk.updateTitle', { count: selected.length })}
        closeLabel={t('common.close')}
        footer={
          <>
            <Button onClick={() => setDialog(undefined)} disabled={!!running}>
              {t('common.cancel')}
            </Button>
            <Button
              variant="primary"
              disabled={!f}
              loading={!!running}
              onClick={() =>
                f &&
                void run(
                  t('bulk.updateTitle', { count: selected.length }),
                  { action: 'update', changes: { [field]: bulkValue(f, value) } },
                  { ids: selected },
                )
              }
            >
              {t('bulk.apply')}
            </Button>
          </>
        }
      >
        <div className="f-bulk__form">
          <label className="f-bulk__row">
            <span>{t('bulk.field')}</span>
            <select
              className="f-input__control"
              value={field}
              onChange={(e) => {
                setField(e.target.value);
                setValue('');
              }}
            >
              <option value="">{t('bulk.chooseField')}</option>
              {fields.map((n) => (
                <option key={n} value={n}>
                  {fieldLabel(schema, n, lang)}
                </option>
              ))}
            </select>
          </label>
          {f && (
            <div className="f-bulk__row">
              <label htmlFor="f-bulk-value">{t('bulk.value')}</label>
              <ValueInput id="f-bulk-value" field={f} value={value} onChange={setValue} lang={lang} />
            </div>
          )}
          {progress}
        </div>
      </Dialog>

      <Dialog
        open={dialog === 'owner'}
        onOpenChange={(o) => !running && setDialog(o ? 'owner' : undefined)}
        title={t('bulk.ownerTitle')}
        closeLabel={t('common.close')}
        footer={
          <>
            <Button onClick={() => setDialog(undefined)} disabled={!!running}>
              {t('common.cancel')}
            </Button>
            <Button
              variant="primary"
              disabled={!owner || (scope === 'allOf' && !from)}
              loading={!!running}
              onClick={() =>
                void run(
                  t('bulk.ownerTitle'),
                  { action: 'update', changes: { owner } },
                  scope === 'selected'
                    ? { ids: selected }
                    : { filter: andFilters(listFilter, { owner: { eq: from } }) ?? {} },
                )
              }
            >
              {t('bulk.apply')}
            </Button>
          </>
        }
      >
        <div className="f-bulk__form">
          <label className="f-bulk__row">
            <span>{t('bulk.newOwner')}</span>
            <select className="f-input__control" value={owner} onChange={(e) => setOwner(e.target.value)}>
              <UserOptions users={users.data?.items} none={t('bulk.chooseUser')} />
            </select>
          </label>
          <fieldset className="f-bulk__scope">
            <legend>{t('bulk.scope')}</legend>
            <label>
              <input type="radio" checked={scope === 'selected'} onChange={() => setScope('selected')} />
              {t('bulk.scopeSelected', { count: selected.length })}
            </label>
            <label>
              <input type="radio" checked={scope === 'allOf'} onChange={() => setScope('allOf')} />
              {t('bulk.scopeAllOf')}
            </label>
            <select
              className="f-input__control"
              aria-label={t('bulk.scopeAllOf')}
              value={from}
              onChange={(e) => {
                setFrom(e.target.value);
                setScope('allOf');
              }}
            >
              <UserOptions users={users.data?.items} none={t('bulk.chooseUser')} />
            </select>
            <p className="f-bulk__hint">{t('bulk.scopeAllOfHint')}</p>
          </fieldset>
          {users.isError && <p role="alert">{users.error.message}</p>}
          {progress}
        </div>
      </Dialog>

      <Dialog
        open={dialog === 'delete'}
        onOpenChange={(o) => !running && setDialog(o ? 'delete' : undefined)}
        title={t('list.deleteConfirmTitle', { count: selected.length })}
        description={t('list.deleteConfirmBody')}
        closeLabel={t('common.close')}
        footer={
          <>
            <Button onClick={() => setDialog(undefined)} disabled={!!running}>
              {t('common.cancel')}
            </Button>
            <Button
              variant="danger"
              loading={!!running}
              onClick={() => void run(t('list.delete'), { action: 'delete' }, { ids: selected })}
            >
              {t('list.delete')}
            </Button>
          </>
        }
      >
        {progress}
      </Dialog>

      <Dialog
        open={!!report}
        onOpenChange={(o) => {
          if (o) return;
          setReport(undefined);
          onClear();
        }}
        title={t('bulk.reportTitle', { done: report?.done ?? 0, refused: report?.refused.length ?? 0 })}
        closeLabel={t('common.close')}
        footer={
          <Button
            onClick={() => {
              setReport(undefined);
              onClear();
            }}
          >
            {t('bulk.close')}
          </Button>
        }
      >
        <p>{t('bulk.reportRefused')}</p>
        <ul className="f-bulk__refused">
          {report?.refused.map((r) => (
            <li key={r.id}>
              <strong>{r.label ?? t('bulk.hiddenRecord')}</strong>
              <span>
                {r.fields && Object.keys(r.fields).length
                  ? Object.entries(r.fields)
                      .map(([k, m]) => {
                        const coded = r.fieldErrors?.[k];
                        const text = (coded && fieldErrorText(t, coded, { locale: lang })) || m;
                        return `${fieldLabel(schema, k, lang)}: ${text}`;
                      })
                      .join(' · ')
                  : r.reason}
              </span>
            </li>
          ))}
        </ul>
      </Dialog>
    </section>
  );
}

/** The choice of a user in the owner dialog: "choose…" first, then people by name. */
function UserOptions({ users, none }: { users: UserRow[] | undefined; none: string }) {
  return (
    <>
      <option value="">{none}</option>
      {users?.map((u) => (
        <option key={u.id} value={u.id}>
          {u.name || u.email}
        </option>
      ))}
    </>
  );
}

function ValueInput({
  id,
  field,
  value,
  onChange,
  lang,
}: {
  id: string;
  field: FieldSchema;
  value: string;
  onChange(v: string): void;
  lang: string;
}) {
  const { t } = useTranslation();
  const kind = valueKind(field);
  if (kind === 'select' || kind === 'boolean') {
    const options =
      kind === 'boolean'
        ? [
            { v: 'true', l: t('bulk.yes') },
            { v: 'false', l: t('bulk.no') },
          ]
        : (field.enum ?? [])
            // A retired option is no new choice (the server would refuse it on every record).
            .filter((o) => !((field['x-enum-retired'] ?? []) as string[]).includes(String(o)))
            .map((o) => ({ v: String(o), l: enumLabel(field, String(o), lang) }));
    return (
      <select id={id} className="f-input__control" value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('bulk.emptyValue')}</option>
        {options.map((o) => (
          <option key={o.v} value={o.v}>
            {o.l}
          </option>
        ))}
      </select>
    );
  }
  const type =
    kind === 'date'
      ? 'date'
      : kind === 'datetime'
        ? 'datetime-local'
        : kind === 'number' || kind === 'currency' || kind === 'percent' || kind === 'integer'
          ? 'number'
          : kind === 'email'
            ? 'email'
            : 'text';
  return (
    <input
      id={id}
      className="f-input__control"
      type={type}
      value={value}
      step={type === 'number' ? 'any' : undefined}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}
