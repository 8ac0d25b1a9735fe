import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import type { i18n as I18n } from 'i18next';
import { type ReactNode, useState } from 'react';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { ApiProvider } from './api/api-context';
import type { ApiClient } from './api/api-client';
import { appRoutes } from './app-routes';
import { LocaleSync } from './i18n/locale-sync';
import { SessionProvider } from './session/session-context';
import { ToastProvider } from './ui';

function Toasts({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return <ToastProvider closeLabel={t('common.close')}>{children}</ToastProvider>;
}

export interface AppProps {
  i18n: I18n;
  api: ApiClient;
  queryClient: QueryClient;
}

/** Providers from the outside in: language, server cache, API, session, toasts, then the routes. */
export function App({ i18n, api, queryClient }: AppProps) {
  const [router] = useState(() => createBrowserRouter(appRoutes));
  return (
    <I18nextProvider i18n={i18n}>
      <QueryClientProvider client={queryClient}>
        <ApiProvider client={api}>
          <SessionProvider>
            <LocaleSync />
            <Toasts>
              <RouterProvider router={router} />
            </Toasts>
          </SessionProvider>
        </ApiProvider>
      </QueryClientProvider>
    </I18nextProvider>
  );
}
