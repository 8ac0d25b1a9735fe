import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { Toast as Radix } from 'radix-ui';
import { AlertTriangle, CheckCircle2, Info, X } from 'lucide-react';
import { cx } from './cx';
import './toast.css';

export type ToastTone = 'info' | 'success' | 'error';

export interface ToastInput {
  title: string;
  description?: string;
  tone?: ToastTone;
}

interface ToastItem extends ToastInput {
  id: number;
}

const ToastContext = createContext<((t: ToastInput) => void) | null>(null);

const ICONS = { info: Info, success: CheckCircle2, error: AlertTriangle };

/**
 * Hosts toasts (Radix): announced politely to screen readers (errors assertively), paused on hover
 * and focus, dismissible with a swipe, Escape or the close button.
 */
export function ToastProvider({ children, closeLabel }: { children: ReactNode; closeLabel: string }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const push = useCallback((t: ToastInput) => {
    setItems((prev) => [...prev.slice(-3), { ...t, id: Date.now() + Math.random() }]);
  }, []);
  const remove = (id: number) => setItems((prev) => prev.filter((i) => i.id !== id));
  return (
    <ToastContext.Provider value={push}>
      <Radix.Provider swipeDirection="right" duration={5000}>
        {children}
        {items.map((item) => {
          const tone = item.tone ?? 'info';
          const Icon = ICONS[tone];
          return (
            <Radix.Root
              key={item.id}
              className={cx('f-toast', `f-toast--${tone}`)}
              type={tone === 'error' ? 'foreground' : 'background'}
              onOpenChange={(open) => !open && remove(item.id)}
            >
              <Icon className="f-toast__icon" size={18} aria-hidden="true" />
              <div className="f-toast__text">
                <Radix.Title className="f-toast__title">{item.title}</Radix.Title>
                {item.description && (
                  <Radix.Description className="f-toast__description">{item.description}</Radix.Description>
                )}
              </div>
              <Radix.Close className="f-toast__close" aria-label={closeLabel}>
                <X size={16} aria-hidden="true" />
              </Radix.Close>
            </Radix.Root>
          );
        })}
        <Radix.Viewport className="f-toast__viewport" />
      </Radix.Provider>
    </ToastContext.Provider>
  );
}

/** `const toast = useToast(); toast({ title, tone: 'success' })`. */
export function useToast(): (t: ToastInput) => void {
  const push = useContext(ToastContext);
  if (!push) throw new Error('useToast needs a ToastProvider');
  return useMemo(() => push, [push]);
}
