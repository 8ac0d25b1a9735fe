import { useParams } from 'react-router';
import { RecordList } from '../records/record-list';
import { objectLabel } from '../i18n/pick-label';
import { useLocale } from '../i18n/use-locale';
import { NavIcon } from '../shell/nav-icon';
import { objectIcon } from '../meta/nav-items';
import { Page, PageHeader } from '../ui';
import { ObjectMetaGate } from './object-meta-gate';

/** `/o/:object`: the object's list view. */
export function ObjectPage() {
  const { locale } = useLocale();
  const { object = '' } = useParams();
  return (
    <ObjectMetaGate object={object}>
      {(meta, schema) => {
        const label = objectLabel(object, schema, locale);
        return (
          <Page wide>
            <PageHeader title={label} icon={<NavIcon name={objectIcon(object, schema)} size={22} />} />
            <RecordList object={object} schema={schema} meta={meta} label={label} lang={locale} />
          </Page>
        );
      }}
    </ObjectMetaGate>
  );
}
