import { parseDocument } from 'htmlparser2';

type Node = { type: string; name?: string; data?: string; children?: Node[] };
const BLOCKS = new Set(['p', 'div', 'h1', 'h2', 'h3', 'h4', 'li', 'tr', 'table', 'ul', 'ol', 'hr', 'pagebreak']);

/** Rendered template HTML as plain text for an e-mail body: blocks on their own lines, cells tab-separated. */
export function htmlToText(html: string): string {
  const out: string[] = [];
  const walk = (node: Node) => {
    if (node.type === 'text') out.push((node.data ?? '').replace(/\s+/g, ' '));
    else if (node.type === 'tag' && node.name === 'br') out.push('\n');
    const block = node.type === 'tag' && BLOCKS.has(node.name ?? '');
    if (block) out.push('\n');
    if (node.type === 'tag' && node.name === 'li') out.push('- ');
    if (node.type !== 'script' && node.type !== 'style') for (const c of node.children ?? []) walk(c);
    if (node.type === 'tag' && (node.name === 'td' || node.name === 'th')) out.push('\t');
    if (block) out.push('\n');
  };
  walk(parseDocument(html, { decodeEntities: true }) as unknown as Node);
  return out
    .join('')
    .split('\n')
    .map((l) => l.replace(/[ \t]+$/g, '').replace(/^ +/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
