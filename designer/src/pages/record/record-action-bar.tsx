import { CalendarCheck, Mail, MapPin, Phone, Plus } from 'lucide-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { fieldLabel, objectLabel } from '../../i18n/pick-label';
import type { AppMeta, ObjectSchema } from '../../meta/meta-types';
import { phoneActions } from '../../records/record-phone-actions';
import type { RecordRow } from '../../records/records-api';
import { Button, Menu, MenuItem } from '../../ui';

/**
 * The record's actions on a phone, fixed at the bottom within thumb reach: call, e-mail and map
 * when the record has them, log a visit, and a new record linked to this one. Links, not scripts,
 * so the phone's own dialer, mail and maps apps do the work.
 */
export function RecordActionBar({
  meta,
  object,
  schema,
  record,
  lang,
}: {
  meta: AppMeta;
  object: string;
  schema: ObjectSchema;
  record: RecordRow;
  lang: string;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const a = phoneActions(meta, object, schema, record, record.id);
  const items: Array<{ key: string; href: string; icon: ReactNode; label: string; external?: boolean }> = [];
  if (a.call)
    items.push({
      key: 'call',
      href: `tel:${a.call.replace(/[^\d+]/g, '')}`,
      icon: <Phone size={18} aria-hidden="true" />,
      label: t('mobile.call'),
    });
  if (a.email)
    items.push({
      key: 'email',
      href: `mailto:${a.email}`,
      icon: <Mail size={18} aria-hidden="true" />,
      label: t('mobile.email'),
    });
  if (a.map)
    items.push({
      key: 'map',
      href: `https://www.openstreetmap.org/search?${new URLSearchParams({ query: a.map })}`,
      icon: <MapPin size={18} aria-hidden="true" />,
      label: t('mobile.map'),
      external: true,
    });
  if (!items.length && !a.logVisit && !a.related.length) return null;
  return (
    <>
      {/* Keeps the page's end clear of the fixed bar. */}
      <div className="f-actionbar__spacer" aria-hidden="true" />
      <nav className="f-actionbar" aria-label={t('mobile.recordActions')}>
        {items.map((i) => (
          <a
            key={i.key}
            className="f-actionbar__item"
            href={i.href}
            {...(i.external ? { target: '_blank', rel: 'noreferrer' } : {})}
          >
            {i.icon}
            <span>{i.label}</span>
          </a>
        ))}
        {a.logVisit && (
          <Link className="f-actionbar__item" to={a.logVisit}>
            <CalendarCheck size={18} aria-hidden="true" />
            <span>{t('mobile.logVisit')}</span>
          </Link>
        )}
        {a.related.length > 0 && (
          <Menu
            label={t('mobile.newRelated')}
            trigger={
              <Button variant="ghost" className="f-actionbar__item" icon={<Plus size={18} aria-hidden="true" />}>
                {t('mobile.newRelated')}
              </Button>
            }
          >
            {a.related.map((r) => (
              <MenuItem key={`${r.object}.${r.field}`} onSelect={() => navigate(r.href)}>
                {t('mobile.newRelatedOf', { label: objectLabel(r.object, meta.objects[r.object], lang) })}
                {/* Two lookups of one object to this record: say which link the new one gets. */}
                {a.related.filter((o) => o.object === r.object).length > 1 &&
                  ` (${fieldLabel(meta.objects[r.object], r.field, lang)})`}
              </MenuItem>
            ))}
          </Menu>
        )}
      </nav>
    </>
  );
}
