import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { useApi } from '../api/api-context';
import { fieldLabel, objectLabel } from '../i18n/pick-label';
import { useAppMeta } from '../meta/use-app-meta';
import { Button, Card, EmptyState, LoadingState, Page, PageHeader, useToast } from '../ui';
import { resolveConflict } from './briefcase';
import { displayValue, recordName } from './briefcase-labels';
import { useBriefcase } from './use-briefcase';

/**
 * One conflicting offline edit, field by field: each field both sides changed shows the rep's value
 * and the server's, and the rep keeps one; fields only one side changed were merged already.
 */
export function ConflictPage() {
  const { seq } = useParams();
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const api = useApi();
  const meta = useAppMeta().data;
  const view = useBriefcase();
  const navigate = useNavigate();
  const toast = useToast();
  const [choice, setChoice] = useState<Record<string, 'mine' | 'theirs'>>({});
  const [busy, setBusy] = useState(false);

  if (!view || meta === undefined) return <LoadingState label={t('briefcase.title')} />;
  const item = view.outbox.find((i) => i.seq === Number(seq));
  if (!meta || !item?.conflict)
    return (
      <Page>
        <EmptyState title={t('briefcase.notFound')} action={<Link to="/briefcase">{t('briefcase.back')}</Link>} />
      </Page>
    );
  const schema = meta.objects[item.object];
  const label = objectLabel(item.object, schema, lang);
  const name = recordName(meta, item.object, item.conflict.server, label);
  const show = (field: string, v: unknown) => displayValue(meta, item.object, field, v, view.records, lang, t);
  const merged = Object.keys(item.conflict.merged).map((f) => fieldLabel(schema, f, lang));
  const complete = item.conflict.fields.every((c) => choice[c.field]);

  async function apply() {
    setBusy(true);
    try {
      await resolveConflict(api, item!.seq!, choice);
      toast({ title: t('briefcase.resolved'), tone: 'success' });
      navigate('/briefcase');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Page>
      <p>
        <Link className="f-briefcase__back" to="/briefcase">
          ← {t('briefcase.back')}
        </Link>
      </p>
      <PageHeader title={t('briefcase.conflictHeading', { record: name })} subtitle={label} />
      <p>{t('briefcase.conflictIntro')}</p>
      {merged.length > 0 && (
        <p className="f-briefcase__muted">{t('briefcase.merged', { fields: merged.join(', ') })}</p>
      )}
      {item.conflict.fields.map((c) => (
        <Card key={c.field} title={fieldLabel(schema, c.field, lang)}>
          <fieldset className="f-briefcase__choice">
            <legend className="f-sr-only">{fieldLabel(schema, c.field, lang)}</legend>
            {(['mine', 'theirs'] as const).map((side) => (
              <label key={side} className="f-briefcase__option">
                <input
                  type="radio"
                  name={`choice-${c.field}`}
                  checked={choice[c.field] === side}
                  onChange={() => setChoice((s) => ({ ...s, [c.field]: side }))}
                />
                <span>
                  <span className="f-briefcase__muted">
                    {side === 'mine' ? t('briefcase.yours') : t('briefcase.theirs')}
                  </span>
                  <strong>{show(c.field, side === 'mine' ? c.mine : c.theirs)}</strong>
                </span>
              </label>
            ))}
          </fieldset>
        </Card>
      ))}
      <div className="f-briefcase__actions">
        <Button variant="primary" disabled={!complete} loading={busy} onClick={apply}>
          {t('briefcase.apply')}
        </Button>
        {!complete && <span className="f-briefcase__muted">{t('briefcase.chooseAll')}</span>}
      </div>
    </Page>
  );
}
