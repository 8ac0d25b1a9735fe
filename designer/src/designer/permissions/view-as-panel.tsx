import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Check, Eye, X } from 'lucide-react';
import { useApi } from '../../api/api-context';
import { objectLabel } from '../../i18n/pick-label';
import type { ObjectSchema } from '../../meta/meta-types';
import { Badge, Button, Card, EmptyState, ErrorState, LoadingState } from '../../ui';
import { FieldGrid } from './field-grid';
import {
  type AccessReason,
  type AccessVerdict,
  effectiveScope,
  fetchAccessExplanation,
  fetchEffectivePermissions,
  fetchUsers,
} from './permissions-api';
import { RoleMatrix } from './role-matrix';

interface ViewAsPanelProps {
  objects: Record<string, ObjectSchema>;
  lang: string;
}

/** "View as user": the published permissions as one user gets them, and why for one record. */
export function ViewAsPanel({ objects, lang }: ViewAsPanelProps) {
  const { t } = useTranslation();
  const client = useApi();
  const id = useId();
  const [userId, setUserId] = useState('');
  const [object, setObject] = useState<string | undefined>(undefined);
  const users = useQuery({ queryKey: ['designer', 'users'], queryFn: ({ signal }) => fetchUsers(client, signal) });
  const effective = useQuery({
    queryKey: ['designer', 'effective-permissions', userId],
    queryFn: ({ signal }) => fetchEffectivePermissions(client, userId, signal),
    enabled: userId !== '',
  });

  const data = effective.data;
  const shown = object && data?.objects[object] ? object : undefined;
  return (
    <div className="f-perm-viewas">
      <p className="f-perm-hint">{t('permissions.viewAsHint')}</p>
      <label className="f-perm-viewas__user" htmlFor={`${id}-user`}>
        <span className="f-field__label">{t('permissions.viewAsUser')}</span>
        <select
          id={`${id}-user`}
          className="f-select"
          value={userId}
          onChange={(e) => setUserId(e.target.value)}
          disabled={!users.data}
        >
          <option value="">{t('permissions.pickUser')}</option>
          {(users.data ?? []).map((u) => (
            <option key={u.id} value={u.id}>
              {u.name ?? u.email ?? u.id}
              {u.email && u.name ? ` <${u.email}>` : ''}
            </option>
          ))}
        </select>
      </label>
      {users.isError && <ErrorState compact title={t('errors.title')} body={users.error.message} />}
      {userId === '' ? (
        <EmptyState compact icon={<Eye size={20} aria-hidden="true" />} title={t('permissions.viewAsEmpty')} />
      ) : effective.isPending ? (
        <LoadingState compact label={t('common.loading')} />
      ) : effective.isError ? (
        <ErrorState
          compact
          title={t('errors.title')}
          body={effective.error.message}
          action={<Button onClick={() => void effective.refetch()}>{t('common.retry')}</Button>}
        />
      ) : data ? (
        <>
          <p className="f-perm-viewas__who" data-testid="view-as-roles">
            {data.admin ? (
              <Badge tone="primary">{t('permissions.isAdmin')}</Badge>
            ) : (
              t('permissions.viewAsRoles', { roles: (data.user.roles ?? []).join(', ') || '—' })
            )}
            {data.user.active === false && <Badge tone="warning">{t('permissions.inactive')}</Badge>}
          </p>
          <RoleMatrix
            objects={objects}
            lang={lang}
            caption={t('permissions.effectiveCaption')}
            scopeOf={(o, op) => effectiveScope(data.objects[o], op)}
            viaOf={(o, op) => data.objects[o]?.via?.[op]}
            selected={shown}
            onSelect={setObject}
          />
          {shown && objects[shown] && (
            <Card title={t('permissions.fieldsOf', { object: objectLabel(shown, objects[shown], lang) })}>
              <FieldGrid
                object={shown}
                schema={objects[shown]}
                lang={lang}
                accessOf={(f) => data.objects[shown]?.fields?.[f] ?? 'edit'}
              />
            </Card>
          )}
          <Explainer objects={objects} lang={lang} userId={userId} focus={shown} />
        </>
      ) : null}
    </div>
  );
}

function Explainer({
  objects,
  lang,
  userId,
  focus,
}: {
  objects: Record<string, ObjectSchema>;
  lang: string;
  userId: string;
  /** The object picked in the matrix: the one the admin is looking into. */
  focus: string | undefined;
}) {
  const { t } = useTranslation();
  const client = useApi();
  const id = useId();
  const names = Object.keys(objects).sort();
  const [object, setObject] = useState(names[0] ?? '');
  const [record, setRecord] = useState('');
  useEffect(() => {
    if (focus) setObject(focus);
  }, [focus]);
  const explain = useMutation({
    mutationFn: () => fetchAccessExplanation(client, { object, record: record.trim(), user: userId }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (record.trim()) explain.mutate();
  };
  return (
    <Card title={t('permissions.explainTitle')}>
      <form className="f-perm-explain__form" onSubmit={submit}>
        <label className="f-perm-sharing__cell" htmlFor={`${id}-o`}>
          <span className="f-field__label">{t('permissions.object')}</span>
          <select id={`${id}-o`} className="f-select" value={object} onChange={(e) => setObject(e.target.value)}>
            {names.map((n) => (
              <option key={n} value={n}>
                {objectLabel(n, objects[n], lang)}
              </option>
            ))}
          </select>
        </label>
        <label className="f-perm-sharing__cell f-perm-explain__record" htmlFor={`${id}-r`}>
          <span className="f-field__label">{t('permissions.recordId')}</span>
          <input
            id={`${id}-r`}
            className="f-input__control f-perm-input"
            value={record}
            maxLength={64}
            spellCheck={false}
            onChange={(e) => setRecord(e.target.value)}
          />
        </label>
        <Button type="submit" variant="primary" loading={explain.isPending} disabled={!record.trim()}>
          {t('permissions.explain')}
        </Button>
      </form>
      {explain.isError && (
        <p className="f-field__error" role="alert">
          {explain.error.message}
        </p>
      )}
      {explain.data && (
        <ul className="f-perm-explain__verdicts" aria-live="polite">
          {(['read', 'update', 'delete'] as const).map((op) => (
            <Verdict key={op} op={op} verdict={explain.data[op]} />
          ))}
        </ul>
      )}
    </Card>
  );
}

function reasonText(r: AccessReason, t: TFunction): string {
  if (r.kind === 'scope')
    return t('permissions.reason_scope', { scope: String(r.scope), roles: (r.roles as string[]).join(', ') });
  if (r.kind === 'sharingRule')
    return t('permissions.reason_sharingRule', { role: r.role, label: r.label ?? `#${Number(r.index) + 1}` });
  if (r.kind === 'manualShare') return t('permissions.reason_manualShare', { level: r.level });
  return r.kind;
}

function Verdict({ op, verdict }: { op: 'read' | 'update' | 'delete'; verdict: AccessVerdict }) {
  const { t } = useTranslation();
  return (
    <li
      className={verdict.allowed ? 'f-perm-verdict f-perm-verdict--yes' : 'f-perm-verdict f-perm-verdict--no'}
      data-op={op}
    >
      <span className="f-perm-verdict__icon" aria-hidden="true">
        {verdict.allowed ? <Check size={16} /> : <X size={16} />}
      </span>
      <div>
        <strong>
          {t(`permissions.op_${op}`)}: {verdict.allowed ? t('permissions.allowed') : t('permissions.denied')}
        </strong>
        <ul className="f-perm-verdict__reasons">
          {verdict.reasons.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: reasons are a fixed list from one answer
            <li key={i}>{reasonText(r, t)}</li>
          ))}
          {verdict.denial && <li>{verdict.denial}</li>}
        </ul>
      </div>
    </li>
  );
}
