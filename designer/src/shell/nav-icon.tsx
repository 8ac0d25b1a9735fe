import {
  Box,
  Building2,
  CheckSquare,
  FileSignature,
  FileText,
  FolderKanban,
  Handshake,
  LifeBuoy,
  type LucideIcon,
  Package,
  Receipt,
  ShoppingCart,
  User,
  UserPlus,
} from 'lucide-react';

// A fixed set rather than lucide's dynamic import keeps the bundle small; unknown names get a box.
const ICONS: Record<string, LucideIcon> = {
  box: Box,
  'building-2': Building2,
  'check-square': CheckSquare,
  'file-signature': FileSignature,
  'file-text': FileText,
  'folder-kanban': FolderKanban,
  handshake: Handshake,
  'life-buoy': LifeBuoy,
  package: Package,
  receipt: Receipt,
  'shopping-cart': ShoppingCart,
  user: User,
  'user-plus': UserPlus,
};

export function NavIcon({ name, size = 18 }: { name: string; size?: number }) {
  const Icon = ICONS[name] ?? Box;
  return <Icon size={size} aria-hidden="true" />;
}
