import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Zap } from 'lucide-react';
import { isApiError } from '../api/api-error';
import { objectLabel, pickLabel } from '../i18n/pick-label';
import { useLocale } from '../i18n/use-locale';
import type { AppMeta } from '../meta/meta-types';
import { useSession } from '../session/session-context';
import { Button, Dialog, useToast } from '../ui';
import { openTargetOf, type RecordAction } from './record-actions';
import type { RecordRow } from './records-api';
import { recordKeys, useRecordsApi } from './use-records-api';

/** Why an action was refused, in one line: a script's `error()` names a field, other errors say it all. */
function reasonOf(e: unknown): string {
  if (isApiError(e) && e.fields) {
    const first = Object.values(e.fields)[0];
    if (first) return first;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * The object's action buttons (`GET /api/meta/app` → `actions`): action scripts and plugin
 * endpoints. A result naming a record opens it; a refusal is a toast and changes nothing.
 */
export function RecordActionButtons({
  meta,
  object,
  record,
  actions,
  disabled,
}: {
  meta: AppMeta;
  object: string;
  record: RecordRow;
  actions: RecordAction[];
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const { locale } = useLocale();
  const navigate = useNavigate();
  const toast = useToast();
  const records = useRecordsApi();
  const session = useSession();
  const queryClient = useQueryClient();
  const [running, setRunning] = useState<string | undefined>();
  const [confirming, setConfirming] = useState<RecordAction | undefined>();
  const labelOf = (a: RecordAction) => pickLabel(a, locale, 'label', a.name);

  const run = async (action: RecordAction) => {
    setConfirming(undefined);
    setRunning(action.name);
    const label = labelOf(action);
    try {
      const answer =
        action.kind === 'script'
          ? await records.runAction(object, record.id, action.name)
          : await records.runEndpoint(action.path ?? '', record.id);
      // Whatever the action touched may show anywhere: this record, its lists, related records.
      await queryClient.invalidateQueries({ queryKey: recordKeys.all(session.tenant) });
      const next = openTargetOf(action, answer);
      if (next) {
        const target = meta.objects[next.object];
        toast({
          tone: 'success',
          title: t('webApp.actionOpened', { label, object: objectLabel(next.object, target, locale) }),
        });
        navigate(`/o/${encodeURIComponent(next.object)}/${encodeURIComponent(next.id)}`);
      } else toast({ tone: 'success', title: t('webApp.actionDone', { label }) });
    } catch (e) {
      toast({ tone: 'error', title: t('webApp.actionFailed', { label, message: reasonOf(e) }) });
    } finally {
      setRunning(undefined);
    }
  };

  if (actions.length === 0) return null;
  return (
    <>
      {actions.map((a) => (
        <Button
          key={`${a.kind}:${a.name}`}
          icon={<Zap size={16} aria-hidden="true" />}
          title={pickLabel(a, locale, 'description') || undefined}
          loading={running === a.name}
          disabled={disabled || (running !== undefined && running !== a.name)}
          onClick={() => (a.confirm ? setConfirming(a) : void run(a))}
        >
          {labelOf(a)}
        </Button>
      ))}
      <Dialog
        open={confirming !== undefined}
        onOpenChange={(open) => !open && setConfirming(undefined)}
        title={confirming ? t('webApp.actionConfirmTitle', { label: labelOf(confirming) }) : ''}
        description={(confirming && pickLabel(confirming, locale, 'description')) || t('webApp.actionConfirmBody')}
        closeLabel={t('common.close')}
        footer={
          <>
            <Button onClick={() => setConfirming(undefined)}>{t('common.cancel')}</Button>
            <Button variant="primary" onClick={() => confirming && void run(confirming)}>
              {confirming ? labelOf(confirming) : ''}
            </Button>
          </>
        }
      />
    </>
  );
}
