import { getDefaultFormState, type RJSFSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { useCallback, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { type BlockerFunction, useBlocker } from 'react-router';
import { Button, Dialog } from '../ui';

/** Empty values (`''`, `null`, `[]`, `{}`) are the same as absent: a touched-then-cleared field is not an edit. */
function normalize(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return undefined;
  if (Array.isArray(value)) {
    const items = value.map(normalize);
    return items.length === 0 ? undefined : items;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as object).sort()) {
      const v = normalize((value as Record<string, unknown>)[k]);
      if (v !== undefined) out[k] = v;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}

/** Whether two form states differ in anything the user could have typed. */
export function formDataDiffers(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalize(a) ?? null) !== JSON.stringify(normalize(b) ?? null);
}

/**
 * The form's starting state as @rjsf shows it: the record (or the address's prefill) with the
 * schema's defaults filled in, so opening a form and leaving it untouched never counts as an edit.
 */
export function formBaseline(schema: object, data: Record<string, unknown>): Record<string, unknown> {
  return (getDefaultFormState(validator, schema as RJSFSchema, data) ?? {}) as Record<string, unknown>;
}

/**
 * Guards unsaved edits: while `dirty`, leaving the page inside the app (sidebar, link, Back,
 * Cancel) asks first, and closing or reloading the tab triggers the browser's own prompt.
 * `allowNextNavigation()` lets one navigation through (after a save or a delete).
 */
export function useUnsavedChangesGuard(dirty: boolean) {
  const { t } = useTranslation();
  const bypass = useRef(false);
  const blocker = useBlocker(
    useCallback<BlockerFunction>(
      ({ currentLocation, nextLocation }) =>
        // Tabs and other search-parameter changes stay on the same form.
        dirty && !bypass.current && currentLocation.pathname !== nextLocation.pathname,
      [dirty],
    ),
  );
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (bypass.current) return;
      e.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty]);
  const allowNextNavigation = useCallback(() => {
    bypass.current = true;
  }, []);
  const dialog = (
    <Dialog
      open={blocker.state === 'blocked'}
      onOpenChange={(open) => {
        if (!open && blocker.state === 'blocked') blocker.reset();
      }}
      title={t('unsaved.title')}
      description={t('unsaved.body')}
      closeLabel={t('common.close')}
      footer={
        <>
          <Button onClick={() => blocker.reset?.()}>{t('unsaved.stay')}</Button>
          <Button variant="danger" onClick={() => blocker.proceed?.()}>
            {t('unsaved.discard')}
          </Button>
        </>
      }
    />
  );
  return { dialog, allowNextNavigation };
}
