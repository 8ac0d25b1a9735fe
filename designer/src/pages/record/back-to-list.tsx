import { Link } from 'react-router';
import { objectLabel } from '../../i18n/pick-label';
import { useLocale } from '../../i18n/use-locale';
import type { ObjectSchema } from '../../meta/meta-types';

export function BackToList({ object, schema }: { object: string; schema: ObjectSchema }) {
  const { locale } = useLocale();
  return (
    <Link className="f-btn f-btn--secondary f-btn--md" to={`/o/${object}`}>
      <span className="f-btn__label">{objectLabel(object, schema, locale)}</span>
    </Link>
  );
}
