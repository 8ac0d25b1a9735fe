import { type ReactNode, useLayoutEffect, useRef } from 'react';
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
  /** Optional button that opens the dialog; without one, focus returns to whatever opened it. */
  trigger?: ReactNode;
}

/** A modal dialog (Radix): focus is trapped and restored, Escape closes, the title names it. */
export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  children,
  footer,
  closeLabel,
  width,
  trigger,
}: DialogProps) {
  // Radix returns focus only to its own Trigger; a dialog opened from elsewhere (a menu item, a
  // shortcut) would drop focus on <body>. Layout effects run before Radix moves focus in.
  const returnTo = useRef<HTMLElement | null>(null);
  useLayoutEffect(() => {
    if (open && document.activeElement instanceof HTMLElement) returnTo.current = document.activeElement;
  }, [open]);
  return (
    <Radix.Root open={open} onOpenChange={onOpenChange}>
      {trigger && <Radix.Trigger asChild>{trigger}</Radix.Trigger>}
      <Radix.Portal>
        <Radix.Overlay className="f-dialog__overlay" />
        <Radix.Content
          className="f-dialog"
          // A wide dialog still fits a phone, as the default width does (dialog.css).
          style={width ? { width: `min(${width}px, calc(100vw - 32px))` } : undefined}
          onCloseAutoFocus={(e) => {
            if (trigger || !returnTo.current?.isConnected) return;
            e.preventDefault();
            returnTo.current.focus();
          }}
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
