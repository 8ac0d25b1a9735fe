import type { ReactNode } from 'react';
import { Dialog as Radix } from 'radix-ui';
import { X } from 'lucide-react';
import { IconButton } from './button';
import './bottom-sheet.css';

/**
 * A phone's modal panel rising from the bottom edge, within thumb reach (Radix dialog: focus trapped
 * and returned, Escape and the backdrop close it, the title names it).
 */
export function BottomSheet({
  open,
  onOpenChange,
  title,
  closeLabel,
  trigger,
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  closeLabel: string;
  trigger?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Radix.Root open={open} onOpenChange={onOpenChange}>
      {trigger && <Radix.Trigger asChild>{trigger}</Radix.Trigger>}
      <Radix.Portal>
        <Radix.Overlay className="f-dialog__overlay" />
        <Radix.Content className="f-sheet" aria-describedby={undefined}>
          <span className="f-sheet__grip" aria-hidden="true" />
          <header className="f-sheet__header">
            <Radix.Title className="f-sheet__title">{title}</Radix.Title>
            <Radix.Close asChild>
              <IconButton label={closeLabel} icon={<X size={20} aria-hidden="true" />} />
            </Radix.Close>
          </header>
          <div className="f-sheet__body">{children}</div>
        </Radix.Content>
      </Radix.Portal>
    </Radix.Root>
  );
}
