import {
  AlignLeft,
  AtSign,
  Calculator,
  Calendar,
  CalendarClock,
  CheckSquare,
  CircleDollarSign,
  Hash,
  Link,
  List,
  ListChecks,
  ListOrdered,
  Percent,
  Sigma,
  Table,
  Type,
  Binary,
  Waypoints,
} from 'lucide-react';
import type { LucideIcon } from 'lucide-react';
import type { FieldKind } from '../../records/field-kind';

const ICONS: Record<FieldKind, LucideIcon> = {
  text: Type,
  textarea: AlignLeft,
  email: AtSign,
  url: Link,
  number: Hash,
  currency: CircleDollarSign,
  percent: Percent,
  integer: Binary,
  boolean: CheckSquare,
  date: Calendar,
  datetime: CalendarClock,
  select: List,
  multiselect: ListChecks,
  lookup: Waypoints,
  formula: Calculator,
  computed: Calculator,
  autonumber: ListOrdered,
  rollup: Sigma,
  children: Table,
};

export function KindIcon({ kind, size = 16 }: { kind: FieldKind; size?: number }) {
  const Icon = ICONS[kind] ?? Type;
  return <Icon size={size} aria-hidden="true" />;
}
