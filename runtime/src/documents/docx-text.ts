import { parseDocument } from 'htmlparser2';
import { pizzip } from '../lazy-module';
import { checkDocxArchive } from './docx-archive';

type Node = { type: string; name?: string; data?: string; children?: Node[] };

/**
 * The text of a .docx body (`word/document.xml`): one line per paragraph, `<w:tab/>` as a tab,
 * `<w:br/>` as a line break. Enough for a merge preview and e-mail bodies; layout is not kept.
 */
export function docxText(docx: Buffer): string {
  checkDocxArchive(docx);
  const xml = new (pizzip())(docx).file('word/document.xml')?.asText() ?? '';
  const out: string[] = [];
  const walk = (node: Node) => {
    // Only run text (`w:t`) is content: whitespace between elements, field codes and deletions are not.
    if (node.type === 'text') return;
    if (node.type === 'tag') {
      if (node.name === 'w:t') {
        for (const c of node.children ?? []) if (c.type === 'text') out.push(c.data ?? '');
        return;
      }
      if (node.name === 'w:tab') out.push('\t');
      if (node.name === 'w:br' || node.name === 'w:cr') out.push('\n');
    }
    for (const c of node.children ?? []) walk(c);
    if (node.type === 'tag' && node.name === 'w:p') out.push('\n');
  };
  walk(parseDocument(xml, { xmlMode: true, decodeEntities: true }) as unknown as Node);
  return out
    .join('')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
