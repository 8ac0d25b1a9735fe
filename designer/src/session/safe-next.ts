/**
 * Where to go after signing in. Only same-app paths are accepted, so a crafted `?next=` cannot send
 * a freshly signed-in user to another site (`//evil.test`, `/\evil.test`, `https://…`).
 */
export function safeNext(next: string | null | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (/[\u0000-\u001f]/.test(next)) return '/';
  if (next === '/login' || next.startsWith('/login?') || next.startsWith('/login/')) return '/';
  return next;
}
