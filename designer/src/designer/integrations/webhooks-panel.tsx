import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Plus, RefreshCw } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context';
import { isApiError } from '../../api/api-error';
import { fieldLabel, objectLabel } from '../../i18n/pick-label';
import { Badge, Button, DataTable, Dialog, EmptyState, TextField, useToast } from '../../ui';
import { QueryState } from '../common/query-state';
import { CheckField, SelectField } from '../objects/controls';
import type { useMetaDocument } from '../objects/use-meta-document';
import { type Delivery, integrationsApi, WEBHOOK_EVENTS, type Webhook } from './integrations-api';
import { refusalInWords } from './refusal-words';
import { ConfirmDialog, ShownOnceDialog, when } from './shown-once-dialog';

type Meta = NonNullable<ReturnType<typeof useMetaDocument>['data']>;
type ObjectSchema = Parameters<typeof objectLabel>[1];

const KEY = ['admin', 'webhooks'] as const;

/** Webhooks: the subscriptions, a form for a new one, and the delivery log of the one picked. */
export function WebhooksPanel({ meta }: { meta: Meta }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const hooks = useQuery({ queryKey: KEY, queryFn: ({ signal }) => integrationsApi.webhooks(api, signal) });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const objects = (meta.objects ?? {}) as Record<string, ObjectSchema | null>;
  const objLabel = (name: string) => objectLabel(name, objects[name] ?? undefined, i18n.language);

  const toggle = useMutation({
    mutationFn: (h: Webhook) => integrationsApi.updateWebhook(api, h.id, { active: !h.active }),
    onSuccess: () => qc.invalidateQueries({ queryKey: KEY }),
    onError: (e) => toast({ title: t('integrations.failed'), description: e.message, tone: 'error' }),
  });
  const remove = useMutation({
    mutationFn: (h: Webhook) => integrationsApi.deleteWebhook(api, h.id),
    onSuccess: (_r, h) => {
      setDeleting(null);
      if (selected === h.id) setSelected(null);
      toast({ title: t('integrations.webhookDeleted', { name: h.name }) });
      return qc.invalidateQueries({ queryKey: KEY });
    },
    onError: (e) => toast({ title: t('integrations.failed'), description: e.message, tone: 'error' }),
  });

  return (
    <section className="f-int-section" aria-labelledby="f-int-webhooks">
      <div className="f-int-section__head">
        <h2 id="f-int-webhooks">{t('integrations.webhooks')}</h2>
        <Button variant="primary" icon={<Plus size={16} aria-hidden="true" />} onClick={() => setCreating(true)}>
          {t('integrations.newWebhook')}
        </Button>
      </div>
      <p className="f-int-section__intro">{t('integrations.webhooksBody')}</p>
      <QueryState query={hooks}>
        {(rows) => (
          <DataTable<Webhook>
            caption={t('integrations.webhooks')}
            rows={rows}
            rowKey={(h) => h.id}
            empty={<EmptyState title={t('integrations.noWebhooks')} body={t('integrations.noWebhooksBody')} />}
            columns={[
              { key: 'name', header: t('integrations.name'), render: (h) => <strong>{h.name}</strong> },
              { key: 'object', header: t('integrations.object'), render: (h) => objLabel(h.object) },
              {
                key: 'events',
                header: t('integrations.events'),
                render: (h) => h.events.map((e) => t(`integrations.event_${e}`, { defaultValue: e })).join(', '),
              },
              { key: 'url', header: t('integrations.url'), render: (h) => <span className="f-int-url">{h.url}</span> },
              {
                key: 'active',
                header: t('integrations.status'),
                render: (h) =>
                  h.active ? (
                    <Badge tone="success">{t('integrations.enabled')}</Badge>
                  ) : (
                    <Badge>{t('integrations.disabled')}</Badge>
                  ),
              },
              {
                key: 'actions',
                header: <span className="f-sr-only">{t('integrations.actions')}</span>,
                render: (h) => (
                  <div className="f-int-actions">
                    <Button
                      size="sm"
                      onClick={() => setSelected(h.id)}
                      aria-label={t('integrations.logOf', { name: h.name })}
                    >
                      {t('integrations.deliveryLog')}
                    </Button>
                    <Button
                      size="sm"
                      loading={toggle.isPending && toggle.variables?.id === h.id}
                      onClick={() => toggle.mutate(h)}
                      aria-label={t(h.active ? 'integrations.disableNamed' : 'integrations.enableNamed', {
                        name: h.name,
                      })}
                    >
                      {h.active ? t('integrations.disable') : t('integrations.enable')}
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() => setDeleting(h)}
                      aria-label={t('integrations.deleteNamed', { name: h.name })}
                    >
                      {t('integrations.delete')}
                    </Button>
                  </div>
                ),
              },
            ]}
          />
        )}
      </QueryState>
      {selected && hooks.data?.some((h) => h.id === selected) && (
        <DeliveryLog webhook={hooks.data.find((h) => h.id === selected) as Webhook} />
      )}
      {creating && (
        <NewWebhookDialog
          meta={meta}
          onClose={() => setCreating(false)}
          onCreated={(h) => {
            setCreating(false);
            setSecret(h.secret);
            setSelected(h.id);
            void qc.invalidateQueries({ queryKey: KEY });
          }}
        />
      )}
      <ShownOnceDialog
        title={t('integrations.secretTitle')}
        label={t('integrations.secret')}
        warning={t('integrations.secretWarning')}
        value={secret}
        onClose={() => setSecret(null)}
      />
      <ConfirmDialog
        open={deleting !== null}
        title={t('integrations.deleteWebhookTitle', { name: deleting?.name ?? '' })}
        body={t('integrations.deleteWebhookBody')}
        confirm={t('integrations.delete')}
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onCancel={() => setDeleting(null)}
      />
    </section>
  );
}

type FieldKey = 'name' | 'object' | 'events' | 'fields' | 'url';

function NewWebhookDialog({
  meta,
  onClose,
  onCreated,
}: {
  meta: Meta;
  onClose: () => void;
  onCreated: (h: Webhook & { secret: string }) => void;
}) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const objects = (meta.objects ?? {}) as Record<string, (ObjectSchema & { properties?: object }) | null>;
  const objectOptions = Object.entries(objects)
    .filter(([, o]) => !!o)
    .map(([n, o]) => ({ value: n, label: objectLabel(n, o ?? undefined, i18n.language) }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const [name, setName] = useState('');
  const [object, setObject] = useState(objectOptions[0]?.value ?? '');
  const [events, setEvents] = useState<string[]>(['created', 'updated']);
  const [fields, setFields] = useState<string[]>([]);
  const [url, setUrl] = useState('https://');
  const [errors, setErrors] = useState<Partial<Record<FieldKey, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const schema = objects[object] ?? undefined;
  const fieldNames = Object.keys(schema?.properties ?? {});

  const create = useMutation({
    mutationFn: () =>
      integrationsApi.createWebhook(api, {
        name: name.trim(),
        object,
        events,
        url: url.trim(),
        ...(events.includes('updated') && fields.length ? { fields } : {}),
      }),
    onSuccess: onCreated,
    onError: (e) => {
      // The server names the field it refuses (a private address, a bad URL): say it there, in words.
      if (isApiError(e) && e.fields && Object.keys(e.fields).length) {
        const byField: Partial<Record<FieldKey, string>> = {};
        for (const [k, m] of Object.entries(e.fields))
          byField[(['name', 'object', 'events', 'fields', 'url'].includes(k) ? k : 'url') as FieldKey] = refusalInWords(
            t,
            m,
          );
        setErrors(byField);
        setFormError(null);
      } else setFormError(e.message);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const local: Partial<Record<FieldKey, string>> = {};
    if (!name.trim()) local.name = t('common.required');
    if (!events.length) local.events = t('integrations.chooseEvent');
    if (!/^https?:\/\/\S+$/i.test(url.trim())) local.url = t('integrations.urlPattern');
    setErrors(local);
    if (Object.keys(local).length) return;
    create.mutate();
  }
  const toggleIn = (list: string[], v: string, on: boolean) => (on ? [...list, v] : list.filter((x) => x !== v));

  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={t('integrations.newWebhook')}
      closeLabel={t('common.close')}
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" type="submit" form="f-int-new-webhook" loading={create.isPending}>
            {t('integrations.create')}
          </Button>
        </>
      }
    >
      <form id="f-int-new-webhook" className="f-int-form" onSubmit={submit} noValidate>
        <TextField
          label={t('integrations.name')}
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.name}
          required
        />
        <div className={errors.object ? 'f-field--invalid' : undefined}>
          <SelectField
            label={t('integrations.object')}
            value={object}
            options={objectOptions}
            onChange={(v) => {
              setObject(v);
              setFields([]);
            }}
          />
          {errors.object && <p className="f-field__error">{errors.object}</p>}
        </div>
        <fieldset className={errors.events ? 'f-int-checks f-field--invalid' : 'f-int-checks'}>
          <legend className="f-field__label">{t('integrations.events')}</legend>
          {WEBHOOK_EVENTS.map((ev) => (
            <CheckField
              key={ev}
              label={t(`integrations.event_${ev}`)}
              checked={events.includes(ev)}
              onChange={(on) => setEvents((l) => toggleIn(l, ev, on))}
            />
          ))}
          {errors.events && <p className="f-field__error">{errors.events}</p>}
        </fieldset>
        {events.includes('updated') && fieldNames.length > 0 && (
          <fieldset className={errors.fields ? 'f-int-checks f-field--invalid' : 'f-int-checks'}>
            <legend className="f-field__label">{t('integrations.fieldFilter')}</legend>
            <p className="f-field__hint">{t('integrations.fieldFilterHint')}</p>
            <div className="f-int-checks__grid">
              {fieldNames.map((f) => (
                <CheckField
                  key={f}
                  label={fieldLabel(schema, f, i18n.language)}
                  checked={fields.includes(f)}
                  onChange={(on) => setFields((l) => toggleIn(l, f, on))}
                />
              ))}
            </div>
            {errors.fields && <p className="f-field__error">{errors.fields}</p>}
          </fieldset>
        )}
        <TextField
          label={t('integrations.url')}
          type="url"
          inputMode="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          error={errors.url}
          hint={t('integrations.urlHint')}
          required
        />
        {formError && (
          <p className="f-field__error" role="alert">
            {formError}
          </p>
        )}
      </form>
    </Dialog>
  );
}

/** The delivery log of one webhook, newest first, with a way to send one again. */
function DeliveryLog({ webhook }: { webhook: Webhook }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const key = ['admin', 'webhooks', webhook.id, 'deliveries'];
  const log = useQuery({ queryKey: key, queryFn: ({ signal }) => integrationsApi.deliveries(api, webhook.id, signal) });
  const redeliver = useMutation({
    mutationFn: (d: Delivery) => integrationsApi.redeliver(api, d.id),
    onSuccess: () => {
      toast({ title: t('integrations.redelivering') });
      return qc.invalidateQueries({ queryKey: key });
    },
    onError: (e) =>
      toast({
        title: t('integrations.failed'),
        description: isApiError(e, 'CONFLICT') ? t('integrations.stillSending') : e.message,
        tone: 'error',
      }),
  });
  return (
    <section className="f-int-log" aria-labelledby="f-int-log-title">
      <div className="f-int-section__head">
        <h3 id="f-int-log-title">{t('integrations.logTitle', { name: webhook.name })}</h3>
        <Button
          size="sm"
          icon={<RefreshCw size={14} aria-hidden="true" />}
          loading={log.isFetching}
          onClick={() => void log.refetch()}
        >
          {t('integrations.refresh')}
        </Button>
      </div>
      <QueryState query={log}>
        {(rows) => (
          <DataTable<Delivery>
            caption={t('integrations.logTitle', { name: webhook.name })}
            rows={rows}
            rowKey={(d) => d.id}
            empty={<EmptyState title={t('integrations.noDeliveries')} body={t('integrations.noDeliveriesBody')} />}
            columns={[
              { key: 'time', header: t('integrations.time'), render: (d) => when(d.created_at, i18n.language) },
              {
                key: 'event',
                header: t('integrations.event'),
                render: (d) => t(`integrations.event_${d.event}`, { defaultValue: d.event }),
              },
              {
                key: 'status',
                header: t('integrations.status'),
                render: (d) => (
                  <span title={d.error ?? undefined}>
                    <Badge tone={d.status === 'succeeded' ? 'success' : d.status === 'failed' ? 'warning' : 'neutral'}>
                      {t(`integrations.status_${d.status}`)}
                    </Badge>
                  </span>
                ),
              },
              { key: 'code', header: t('integrations.responseCode'), render: (d) => d.response_status ?? '—' },
              { key: 'attempts', header: t('integrations.attempts'), align: 'end', render: (d) => d.attempts },
              {
                key: 'redeliver',
                header: <span className="f-sr-only">{t('integrations.actions')}</span>,
                render: (d) => (
                  <Button
                    size="sm"
                    disabled={d.status === 'pending' || d.status === 'retrying'}
                    loading={redeliver.isPending && redeliver.variables?.id === d.id}
                    onClick={() => redeliver.mutate(d)}
                  >
                    {t('integrations.redeliver')}
                  </Button>
                ),
              },
            ]}
          />
        )}
      </QueryState>
    </section>
  );
}
