import {
  Bell,
  Bot,
  Box,
  Calendar,
  CircleCheck,
  CircleStop,
  Clock,
  FileText,
  GitFork,
  Globe,
  Mail,
  MessageSquare,
  Play,
  Send,
  Shield,
  StickyNote,
  Timer,
  UserCheck,
  Users,
  Webhook,
  Zap,
} from 'lucide-react';
import type { LucideIcon } from 'lucide-react';
import type { CSSProperties } from 'react';

/**
 * The icons a node type's palette entry may name (lucide names, kebab-case). A curated set rather
 * than all of lucide keeps the designer's bundle small; a name outside it shows a neutral box.
 */
const ICONS: Record<string, LucideIcon> = {
  bell: Bell,
  bot: Bot,
  box: Box,
  calendar: Calendar,
  'circle-check': CircleCheck,
  'circle-stop': CircleStop,
  clock: Clock,
  'file-text': FileText,
  'git-fork': GitFork,
  globe: Globe,
  mail: Mail,
  'message-square': MessageSquare,
  play: Play,
  send: Send,
  shield: Shield,
  'sticky-note': StickyNote,
  timer: Timer,
  'user-check': UserCheck,
  users: Users,
  webhook: Webhook,
  zap: Zap,
};

export function nodeIcon(name: string | undefined): LucideIcon {
  return (name && ICONS[name]) || Box;
}

/** A type's accent colour as the CSS variable the designer's styles read (none: the neutral border). */
export function accentStyle(accent: string | undefined): CSSProperties | undefined {
  return accent ? ({ '--f-wf-accent': accent } as CSSProperties) : undefined;
}
