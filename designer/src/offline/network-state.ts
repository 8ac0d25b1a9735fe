/**
 * Whether the server can be reached, as the app learns it: every API answer says "online", every
 * request that gets no answer says "offline" (navigator.onLine alone misses a dead Wi-Fi or an
 * emulated outage), and while offline a light probe of /api/health notices the network's return.
 */
type Listener = () => void;

let online = typeof navigator === 'undefined' ? true : navigator.onLine;
const listeners = new Set<Listener>();
let probe: ReturnType<typeof setInterval> | undefined;
const PROBE_MS = 5_000;

function set(next: boolean) {
  if (next === online) return;
  online = next;
  if (!online && !probe && typeof window !== 'undefined') probe = setInterval(check, PROBE_MS);
  if (online && probe) {
    clearInterval(probe);
    probe = undefined;
  }
  for (const l of listeners) l();
}

async function check() {
  try {
    const res = await fetch('/api/health', { cache: 'no-store', credentials: 'omit' });
    set(res.ok || res.status < 500);
  } catch {
    set(false);
  }
}

export function reportNetwork(ok: boolean): void {
  set(ok);
}

export function isOnline(): boolean {
  return online;
}

export function subscribeNetwork(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

if (typeof window !== 'undefined') {
  window.addEventListener('offline', () => set(false));
  window.addEventListener('online', () => void check());
}
