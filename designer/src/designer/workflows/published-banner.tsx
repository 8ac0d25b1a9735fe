import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CheckCircle2, X } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context';
import { Button, IconButton } from '../../ui';
import { fetchWorkflowVersions, moveToNewest } from './workflows-api';

/**
 * After a publish: the new version, how many approvals still wait on older versions (they keep
 * running on the definition they started with), and the admin action to move them to the newest.
 */
export function PublishedBanner({ name, version, onClose }: { name: string; version: number; onClose: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const versions = useQuery({
    queryKey: ['workflow-versions', name, version],
    queryFn: ({ signal }) => fetchWorkflowVersions(api, name, signal),
  });
  const move = useMutation({
    mutationFn: () => moveToNewest(api, name),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['workflow-versions'] }),
  });
  const older = (versions.data?.versions ?? []).filter((v) => v.version !== versions.data?.current);
  const waiting = older.reduce((sum, v) => sum + v.pending, 0);
  return (
    <div className="f-wf__published" role="status">
      <CheckCircle2 size={18} aria-hidden="true" />
      <div className="f-wf__published-text">
        <strong>{t('workflowDesigner.publishedAs', { version })}</strong>
        {versions.data && (
          <span>
            {waiting > 0 ? t('workflowDesigner.waitingOnOlder', { count: waiting }) : t('workflowDesigner.noneOnOlder')}
          </span>
        )}
        {move.data && (
          <span>
            {t('workflowDesigner.moved', { moved: move.data.moved.length, skipped: move.data.skipped.length })}
          </span>
        )}
        {move.isError && <span className="f-wf__published-error">{move.error.message}</span>}
      </div>
      {waiting > 0 && !move.data && (
        <Button size="sm" onClick={() => move.mutate()} loading={move.isPending}>
          {t('workflowDesigner.moveToNewest', { count: waiting })}
        </Button>
      )}
      <IconButton label={t('common.close')} icon={<X size={16} aria-hidden="true" />} onClick={onClose} />
    </div>
  );
}
