import '@fontsource-variable/inter';
import './styles/tokens.css';
import './styles/base.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApiClient } from './api/api-client';
import { createQueryClient } from './api/query-client';
import { App } from './app';
import { createI18n } from './i18n/i18n';
import { resolveLocale } from './i18n/locale-preference';
import { withOfflineSession } from './offline/offline-api';
import { browserStore } from './i18n/use-locale';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

// Before anyone signs in, speak the device's last choice or the browser's language.
const i18n = createI18n(resolveLocale({ store: browserStore(), browserLanguages: navigator.languages }));
document.documentElement.lang = i18n.language;

createRoot(root).render(
  <StrictMode>
    <App i18n={i18n} api={withOfflineSession(createApiClient())} queryClient={createQueryClient()} />
  </StrictMode>,
);

// The installable app's worker (app shell only, never API answers: docs/mobile.md). Not in `vite dev`,
// where a cached shell would hide the code being edited.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch(() => {
      // No worker (private mode, an old browser): the app works as before, just not offline.
    });
  });
}
