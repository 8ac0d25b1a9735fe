import type { ReactNode } from 'react';
import { Dialog as Radix } from 'radix-ui';
import { X } from 'lucide-react';
import { IconButton } from './button';
import './dialog.css';

export interface DialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: string;
  children?: ReactNode;
  /** Action buttons, right-aligned. */
  footer?: ReactNode;
  closeLabel: string;
  width?: number;
}

/** A modal dialog (Radix): focus is trapped and restored, Escape closes, the title names it. */
export function Dialog({ open, onOpenChange, title, description, children, footer, closeLabel, width }: DialogProps) {
  return (
    <Radix.Root open={open} onOpenChange={onOpenChange}>
      <Radix.Portal>
        <Radix.Overlay className="f-dialog__overlay" />
        <Radix.Content
          className="f-dialog"
          style={width ? { width } : undefined}
          {...(description ? {} : { 'aria-describedby': undefined })}
        >
          <header className="f-dialog__header">
            <Radix.Title className="f-dialog__title">{title}</Radix.Title>
            <Radix.Close asChild>
              <IconButton label={closeLabel} icon={<X size={18} aria-hidden="true" />} />
            </Radix.Close>
          </header>
          {description && <Radix.Description className="f-dialog__description">{description}</Radix.Description>}
          {children && <div className="f-dialog__body">{children}</div>}
          {footer && <footer className="f-dialog__footer">{footer}</footer>}
        </Radix.Content>
      </Radix.Portal>
    </Radix.Root>
  );
}
