import { type ReactNode, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useBlocker } from 'react-router';
import { Button, Dialog } from '../../ui';

/**
 * While `dirty`, leaving the screen inside the app asks first (a confirm dialog) and closing or
 * reloading the tab triggers the browser's own prompt. Returns the dialog: render it once in the
 * screen (`const guard = useUnsavedChangesGuard(dirty); … {guard}`) — without it a blocked
 * navigation would have nobody to ask.
 */
export function useUnsavedChangesGuard(dirty: boolean): ReactNode {
  const { t } = useTranslation();
  // Query-string changes inside the same screen (tabs, filters) are not leaving it.
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname,
  );

  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      // Older browsers still want returnValue set to show the prompt.
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty]);

  // Saved meanwhile (or the editor reset): let the waiting navigation through.
  useEffect(() => {
    if (blocker.state === 'blocked' && !dirty) blocker.proceed();
  }, [blocker, dirty]);

  const open = blocker.state === 'blocked';
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        if (!o && blocker.state === 'blocked') blocker.reset();
      }}
      title={t('objectDesigner.unsavedTitle')}
      description={t('objectDesigner.unsavedBody')}
      closeLabel={t('common.close')}
      width={440}
      footer={
        <>
          <Button onClick={() => blocker.state === 'blocked' && blocker.reset()} autoFocus>
            {t('objectDesigner.unsavedStay')}
          </Button>
          <Button variant="danger" onClick={() => blocker.state === 'blocked' && blocker.proceed()}>
            {t('objectDesigner.unsavedLeave')}
          </Button>
        </>
      }
    />
  );
}

/** The guard as a component, for screens that prefer JSX: `<UnsavedChangesGuard dirty={dirty} />`. */
export function UnsavedChangesGuard({ dirty }: { dirty: boolean }) {
  return <>{useUnsavedChangesGuard(dirty)}</>;
}
