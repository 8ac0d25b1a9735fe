import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { useApi } from '../api/api-context';
import { type ApiError, isApiError } from '../api/api-error';
import { authApi, type LoginInput, type Session } from '../api/auth-api';
import { wipeBriefcase } from '../offline/briefcase-db';

/** The briefcase leaves with the user (docs/mobile.md); a device without IndexedDB has none. */
const wipeDevice = () =>
  typeof indexedDB === 'undefined' ? Promise.resolve() : wipeBriefcase().catch(() => undefined);

export type SessionState =
  | { status: 'loading' }
  | { status: 'signedOut'; expired?: boolean }
  | { status: 'error'; error: ApiError }
  | { status: 'signedIn'; session: Session };

export interface SessionApi {
  state: SessionState;
  /** Signs in (the server sets the httpOnly cookie), then loads the session. Rejects with ApiError. */
  login(input: LoginInput): Promise<Session>;
  logout(): Promise<void>;
  /** Asks the server again who we are (after a failure, or when the profile changed). */
  reload(): void;
}

const SessionContext = createContext<SessionApi | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const auth = useMemo(() => authApi(api), [api]);
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    void attempt;
    const ctrl = new AbortController();
    auth.me(ctrl.signal).then(
      (session) => setState({ status: 'signedIn', session }),
      (e: unknown) => {
        if (ctrl.signal.aborted) return;
        if (isApiError(e, 'UNAUTHENTICATED')) setState({ status: 'signedOut' });
        else if (isApiError(e)) setState({ status: 'error', error: e });
        else setState({ status: 'signedOut' });
      },
    );
    return () => ctrl.abort();
  }, [auth, attempt]);

  // Any 401 while signed in means the session was revoked or expired: drop to the login page.
  useEffect(
    () =>
      api.onUnauthenticated(() => {
        setState((s) => (s.status === 'signedIn' ? { status: 'signedOut', expired: true } : s));
        queryClient.clear();
        void wipeDevice();
      }),
    [api, queryClient],
  );

  const login = useCallback(
    async (input: LoginInput) => {
      await auth.login(input);
      const session = await auth.me();
      queryClient.clear();
      setState({ status: 'signedIn', session });
      return session;
    },
    [auth, queryClient],
  );

  const logout = useCallback(async () => {
    try {
      await auth.logout();
    } finally {
      await wipeDevice();
    }
    queryClient.clear();
    setState({ status: 'signedOut' });
  }, [auth, queryClient]);

  const reload = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo(() => ({ state, login, logout, reload }), [state, login, logout, reload]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSessionApi(): SessionApi {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSessionApi needs a SessionProvider');
  return ctx;
}

/** The signed-in session; only for screens rendered behind RequireSession. */
export function useSession(): Session {
  const { state } = useSessionApi();
  if (state.status !== 'signedIn') throw new Error('useSession used outside a signed-in area');
  return state.session;
}

/** The session if signed in, else undefined (for screens shown either way, like the language switch). */
export function useOptionalSession(): Session | undefined {
  const ctx = useContext(SessionContext);
  return ctx?.state.status === 'signedIn' ? ctx.state.session : undefined;
}
