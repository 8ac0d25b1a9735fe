import type { TFunction } from 'i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Plus } from 'lucide-react';
import { type FormEvent, type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context';
import { isApiError } from '../../api/api-error';
import { itemLabel } from '../../i18n/pick-label';
import { Badge, Button, DataTable, Dialog, EmptyState, TextField, useToast } from '../../ui';
import { QueryState } from '../common/query-state';
import { CheckField, SelectField } from '../objects/controls';
import type { useMetaDocument } from '../objects/use-meta-document';
import { type ApiKey, integrationsApi, type ServiceAccount } from './integrations-api';
import { ConfirmDialog, ShownOnceDialog, when } from './shown-once-dialog';

type Meta = NonNullable<ReturnType<typeof useMetaDocument>['data']>;

const ACCOUNTS = ['admin', 'service-accounts'] as const;
const KEYS = ['admin', 'api-keys'] as const;

/** Service accounts (users for machines, holding roles) and their API keys. */
export function ApiKeysPanel({ meta }: { meta: Meta }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const qc = useQueryClient();
  const toast = useToast();
  const accounts = useQuery({
    queryKey: ACCOUNTS,
    queryFn: ({ signal }) => integrationsApi.serviceAccounts(api, signal),
  });
  const keys = useQuery({ queryKey: KEYS, queryFn: ({ signal }) => integrationsApi.apiKeys(api, signal) });
  const [newAccount, setNewAccount] = useState(false);
  const [newKey, setNewKey] = useState(false);
  const [token, setToken] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const roles = Object.entries((meta.roles ?? {}) as Record<string, object | null>).filter(
    (e): e is [string, object] => !!e[1],
  );
  const roleLabel = (name: string) => {
    const role = roles.find(([n]) => n === name)?.[1];
    return name === 'admin' && !role ? t('integrations.adminRole') : itemLabel(role, i18n.language, name);
  };

  const revoke = useMutation({
    mutationFn: (k: ApiKey) => integrationsApi.revokeApiKey(api, k.id),
    onSuccess: (_r, k) => {
      setRevoking(null);
      toast({ title: t('integrations.keyRevoked', { name: k.name }) });
      return qc.invalidateQueries({ queryKey: KEYS });
    },
    onError: (e) => toast({ title: t('integrations.failed'), description: e.message, tone: 'error' }),
  });

  return (
    <>
      <section className="f-int-section" aria-labelledby="f-int-accounts">
        <div className="f-int-section__head">
          <h2 id="f-int-accounts">{t('integrations.serviceAccounts')}</h2>
          <Button icon={<Plus size={16} aria-hidden="true" />} onClick={() => setNewAccount(true)}>
            {t('integrations.newServiceAccount')}
          </Button>
        </div>
        <p className="f-int-section__intro">{t('integrations.serviceAccountsBody')}</p>
        <QueryState query={accounts}>
          {(rows) => (
            <DataTable<ServiceAccount>
              caption={t('integrations.serviceAccounts')}
              rows={rows}
              rowKey={(a) => a.id}
              empty={<EmptyState title={t('integrations.noServiceAccounts')} />}
              columns={[
                { key: 'name', header: t('integrations.name'), render: (a) => <strong>{a.name}</strong> },
                {
                  key: 'roles',
                  header: t('integrations.roles'),
                  render: (a) => (a.roles.length ? a.roles.map(roleLabel).join(', ') : '—'),
                },
                {
                  key: 'active',
                  header: t('integrations.status'),
                  render: (a) => (a.active ? t('integrations.active') : <Badge>{t('integrations.deactivated')}</Badge>),
                },
                { key: 'created', header: t('integrations.created'), render: (a) => when(a.created_at, i18n.language) },
              ]}
            />
          )}
        </QueryState>
      </section>
      <section className="f-int-section" aria-labelledby="f-int-keys">
        <div className="f-int-section__head">
          <h2 id="f-int-keys">{t('integrations.apiKeys')}</h2>
          <Button
            variant="primary"
            icon={<Plus size={16} aria-hidden="true" />}
            disabled={!accounts.data?.some((a) => a.active)}
            onClick={() => setNewKey(true)}
          >
            {t('integrations.newApiKey')}
          </Button>
        </div>
        <p className="f-int-section__intro">{t('integrations.apiKeysBody')}</p>
        <QueryState query={keys}>
          {(rows) => (
            <DataTable<ApiKey>
              caption={t('integrations.apiKeys')}
              rows={rows}
              rowKey={(k) => k.id}
              empty={<EmptyState title={t('integrations.noApiKeys')} />}
              columns={[
                {
                  key: 'name',
                  header: t('integrations.name'),
                  render: (k) => (
                    <>
                      <strong>{k.name}</strong> <span className="f-int-prefix">{k.prefix}…</span>
                    </>
                  ),
                },
                { key: 'account', header: t('integrations.serviceAccount'), render: (k) => k.service_account_name },
                {
                  key: 'ro',
                  header: t('integrations.access'),
                  render: (k) => (k.read_only ? t('integrations.readOnly') : t('integrations.readWrite')),
                },
                { key: 'created', header: t('integrations.created'), render: (k) => when(k.created_at, i18n.language) },
                {
                  key: 'used',
                  header: t('integrations.lastUsed'),
                  render: (k) => (k.last_used_at ? when(k.last_used_at, i18n.language) : t('integrations.never')),
                },
                {
                  key: 'revoked',
                  header: t('integrations.status'),
                  render: (k) =>
                    k.revoked_at ? (
                      <Badge>{t('integrations.revokedAt', { when: when(k.revoked_at, i18n.language) })}</Badge>
                    ) : (
                      <Badge tone="success">{t('integrations.active')}</Badge>
                    ),
                },
                {
                  key: 'actions',
                  header: <span className="f-sr-only">{t('integrations.actions')}</span>,
                  render: (k) =>
                    k.revoked_at ? null : (
                      <Button
                        size="sm"
                        variant="ghost"
                        onClick={() => setRevoking(k)}
                        aria-label={t('integrations.revokeNamed', { name: k.name })}
                      >
                        {t('integrations.revoke')}
                      </Button>
                    ),
                },
              ]}
            />
          )}
        </QueryState>
      </section>
      {newAccount && (
        <NewAccountDialog
          roles={roles.map(([n]) => ({ value: n, label: roleLabel(n) }))}
          onClose={() => setNewAccount(false)}
          onCreated={() => {
            setNewAccount(false);
            void qc.invalidateQueries({ queryKey: ACCOUNTS });
          }}
        />
      )}
      {newKey && (
        <NewKeyDialog
          accounts={(accounts.data ?? []).filter((a) => a.active)}
          onClose={() => setNewKey(false)}
          onCreated={(k) => {
            setNewKey(false);
            setToken(k.token);
            void qc.invalidateQueries({ queryKey: KEYS });
          }}
        />
      )}
      <ShownOnceDialog
        title={t('integrations.tokenTitle')}
        label={t('integrations.token')}
        warning={t('integrations.tokenWarning')}
        value={token}
        onClose={() => setToken(null)}
      />
      <ConfirmDialog
        open={revoking !== null}
        title={t('integrations.revokeTitle', { name: revoking?.name ?? '' })}
        body={t('integrations.revokeBody')}
        confirm={t('integrations.revoke')}
        busy={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking)}
        onCancel={() => setRevoking(null)}
      />
    </>
  );
}

/**
 * The shell both "new" dialogs share: a name (required, checked before sending) and the dialog's own
 * fields; the server's refusals shown at their fields (`refusals`: request field → form field).
 */
function NewNamedDialog<K extends string, T>({
  formId,
  title,
  nameHint,
  refusals,
  create,
  onCreated,
  onClose,
  children,
}: {
  formId: string;
  title: string;
  nameHint: string;
  refusals: Record<string, K>;
  create: (name: string) => Promise<T>;
  onCreated: (created: T) => void;
  onClose: () => void;
  children: (errors: Partial<Record<K, string>>) => ReactNode;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<Partial<Record<K | 'name' | 'form', string>>>({});
  const mutation = useMutation({
    mutationFn: () => create(name.trim()),
    onSuccess: onCreated,
    onError: (e) => setErrors(refusedAt(t, e, { name: 'name' as K | 'name', ...refusals })),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) return setErrors({ name: t('common.required') } as typeof errors);
    mutation.mutate();
  }
  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={title}
      closeLabel={t('common.close')}
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" type="submit" form={formId} loading={mutation.isPending}>
            {t('integrations.create')}
          </Button>
        </>
      }
    >
      <form id={formId} className="f-int-form" onSubmit={submit} noValidate>
        <TextField
          label={t('integrations.name')}
          value={name}
          onChange={(e) => setName(e.target.value)}
          hint={nameHint}
          error={errors.name}
          required
        />
        {children(errors as Partial<Record<K, string>>)}
        {errors.form && (
          <p className="f-field__error" role="alert">
            {errors.form}
          </p>
        )}
      </form>
    </Dialog>
  );
}

function NewAccountDialog({
  roles,
  onClose,
  onCreated,
}: {
  roles: Array<{ value: string; label: string }>;
  onClose: () => void;
  onCreated: () => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const [chosen, setChosen] = useState<string[]>([]);
  return (
    <NewNamedDialog
      formId="f-int-new-account"
      title={t('integrations.newServiceAccount')}
      nameHint={t('integrations.accountNameHint')}
      refusals={{ roles: 'roles' }}
      create={(name) => integrationsApi.createServiceAccount(api, { name, roles: chosen })}
      onCreated={onCreated}
      onClose={onClose}
    >
      {(errors) => (
        <fieldset className={errors.roles ? 'f-int-checks f-field--invalid' : 'f-int-checks'}>
          <legend className="f-field__label">{t('integrations.roles')}</legend>
          {roles.length === 0 && <p className="f-field__hint">{t('integrations.noRoles')}</p>}
          {roles.map((r) => (
            <CheckField
              key={r.value}
              label={r.label}
              checked={chosen.includes(r.value)}
              onChange={(on) => setChosen((l) => (on ? [...l, r.value] : l.filter((x) => x !== r.value)))}
            />
          ))}
          {errors.roles && <p className="f-field__error">{errors.roles}</p>}
        </fieldset>
      )}
    </NewNamedDialog>
  );
}

function NewKeyDialog({
  accounts,
  onClose,
  onCreated,
}: {
  accounts: ServiceAccount[];
  onClose: () => void;
  onCreated: (k: ApiKey & { token: string }) => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const [account, setAccount] = useState(accounts[0]?.id ?? '');
  const [readOnly, setReadOnly] = useState(true);
  return (
    <NewNamedDialog
      formId="f-int-new-key"
      title={t('integrations.newApiKey')}
      nameHint={t('integrations.keyNameHint')}
      refusals={{ serviceAccount: 'account' }}
      create={(name) => integrationsApi.createApiKey(api, { serviceAccount: account, name, readOnly })}
      onCreated={onCreated}
      onClose={onClose}
    >
      {(errors) => (
        <>
          <div className={errors.account ? 'f-field--invalid' : undefined}>
            <SelectField
              label={t('integrations.serviceAccount')}
              value={account}
              options={accounts.map((a) => ({ value: a.id, label: a.name }))}
              onChange={setAccount}
            />
            {errors.account && <p className="f-field__error">{errors.account}</p>}
          </div>
          <CheckField
            label={t('integrations.readOnly')}
            hint={t('integrations.readOnlyHint')}
            checked={readOnly}
            onChange={setReadOnly}
          />
        </>
      )}
    </NewNamedDialog>
  );
}

/**
 * A server refusal shown where it belongs: each refused field of the request (`fields`' keys) at its
 * form field (their values), else the message for the whole form.
 */
function refusedAt<K extends string>(
  t: TFunction,
  e: Error,
  fields: Record<string, K>,
): Partial<Record<K | 'form', string>> {
  const refused = isApiError(e) ? e.fields : undefined;
  const at = Object.entries(fields).filter(([field]) => refused?.[field]);
  if (!at.length) return { form: e.message } as Partial<Record<K | 'form', string>>;
  return Object.fromEntries(
    at.map(([field, key]) => [key, t('integrations.serverRefused', { message: refused?.[field] })]),
  ) as Partial<Record<K | 'form', string>>;
}
