import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Dialog, TextField, useToast } from '../ui';

/** Names the list's current columns, filters and sort as one of the user's own views. */
export function SaveViewDialog({
  open,
  onOpenChange,
  onSave,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onSave: (name: string) => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const [viewName, setViewName] = useState('');
  const save = () => {
    const name = viewName.trim();
    if (!name) return;
    onSave(name);
    onOpenChange(false);
    setViewName('');
    toast({ tone: 'success', title: t('list.viewSaved', { name }) });
  };
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={t('list.saveViewTitle')}
      closeLabel={t('common.close')}
      footer={
        <>
          <Button onClick={() => onOpenChange(false)}>{t('common.cancel')}</Button>
          <Button variant="primary" type="submit" form="f-save-view" disabled={!viewName.trim()}>
            {t('list.save')}
          </Button>
        </>
      }
    >
      <form
        id="f-save-view"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <TextField
          label={t('list.viewName')}
          value={viewName}
          maxLength={60}
          onChange={(e) => setViewName(e.target.value)}
          autoFocus
        />
      </form>
    </Dialog>
  );
}
