import { type ChangeEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/api-error';
import { useApi } from '../../api/api-context';
import { Button, Dialog } from '../../ui';
import {
  type ImportRow,
  importUsers,
  type InvitedUser,
  parseUsersCsv,
  type UserImportRowErrors,
  fitWidth,
} from './users-api';

/**
 * Users from a CSV: a preview of every row, then one import that creates all of them or none. When
 * the server finds errors, each shows at its row and cell; the admin fixes the file and picks it again.
 */
export function ImportUsersDialog({
  open,
  onOpenChange,
  roleLabel,
  onImported,
}: {
  open: boolean;
  onOpenChange: (o: boolean) => void;
  roleLabel: (r: string) => string;
  onImported: (created: InvitedUser[]) => void;
}) {
  const { t } = useTranslation();
  const client = useApi();
  const [rows, setRows] = useState<ImportRow[]>([]);
  const [fileError, setFileError] = useState('');
  const [rowErrors, setRowErrors] = useState<UserImportRowErrors[]>([]);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) return;
    setRows([]);
    setFileError('');
    setRowErrors([]);
    setMessage('');
  }, [open]);

  async function pick(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    setRowErrors([]);
    setMessage('');
    setFileError('');
    if (!file) return;
    const parsed = parseUsersCsv(await file.text());
    if (parsed.missing.length) {
      setRows([]);
      setFileError(t('users.importMissing', { columns: parsed.missing.join(', ') }));
      return;
    }
    if (!parsed.rows.length) setFileError(t('users.importEmpty'));
    setRows(parsed.rows);
  }

  async function submit() {
    setBusy(true);
    setRowErrors([]);
    setMessage('');
    try {
      const r = await importUsers(client, rows);
      onImported(r.created);
    } catch (err) {
      const list = isApiError(err) ? (err.details?.rows as UserImportRowErrors[] | undefined) : undefined;
      if (list) setRowErrors(list);
      setMessage(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  const errorsOf = (i: number) => rowErrors.find((r) => r.row === i + 1)?.errors ?? {};
  const cell = (i: number, key: keyof ImportRow, text: string) => {
    const err = errorsOf(i)[key];
    return (
      <td className={err ? 'f-users__cell--error' : undefined}>
        {text}
        {err && <div className="f-field__error">{err}</div>}
      </td>
    );
  };

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={t('users.importTitle')}
      description={t('users.importBody')}
      closeLabel={t('common.close')}
      width={fitWidth(820)}
      footer={
        <>
          <Button onClick={() => onOpenChange(false)}>{t('common.cancel')}</Button>
          <Button variant="primary" loading={busy} disabled={!rows.length} onClick={() => void submit()}>
            {t('users.importGo', { count: rows.length })}
          </Button>
        </>
      }
    >
      <div className="f-users__form">
        <label className="f-field">
          <span className="f-field__label">{t('users.importFile')}</span>
          <input type="file" accept=".csv,text/csv" onChange={(e) => void pick(e)} />
        </label>
        {fileError && (
          <p className="f-field__error" role="alert">
            {fileError}
          </p>
        )}
        {message && (
          <p className="f-field__error" role="alert">
            {message}
          </p>
        )}
        {rows.length > 0 && (
          <div className="f-users__preview">
            <table>
              <caption className="f-users__caption">{t('users.importPreview', { count: rows.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t('users.name')}</th>
                  <th scope="col">{t('users.email')}</th>
                  <th scope="col">{t('users.roles')}</th>
                  <th scope="col">{t('users.managerEmail')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows of a file have no identity but their place.
                  <tr key={i} className={Object.keys(errorsOf(i)).length ? 'f-users__row--error' : undefined}>
                    <td>{i + 1}</td>
                    {cell(i, 'name', r.name)}
                    {cell(i, 'email', r.email)}
                    {cell(i, 'roles', r.roles.map(roleLabel).join(', '))}
                    {cell(i, 'manager', r.manager ?? '')}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </Dialog>
  );
}
