import { type ComponentType, lazy, type ReactElement, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { LoadingState } from '../ui';

type Screens = typeof import('./designer-screens');

function Loading() {
  const { t } = useTranslation();
  return <LoadingState label={t('common.loading')} />;
}

/** A designer screen as a route element that loads the designer chunk on first use. */
export function lazyDesignerScreen(name: keyof Screens): ReactElement {
  const Screen = lazy(async () => ({ default: (await import('./designer-screens'))[name] as ComponentType }));
  return (
    <Suspense fallback={<Loading />}>
      <Screen />
    </Suspense>
  );
}
