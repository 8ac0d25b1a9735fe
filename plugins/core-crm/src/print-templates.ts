import type { Ctx, PluginContext } from '@forma/platform/plugin-api';

/** The contract as a PDF: the contract approval workflow attaches it once the contract is approved. */
export const CONTRACT_TEMPLATE = {
  name: 'contract',
  label: 'Contract',
  html: [
    '<h1>Contract {{number}}</h1>',
    '<p><b>{{name}}</b></p>',
    '<table>',
    '<tr><td>Value</td><td>{{value}}</td></tr>',
    '<tr><td>Start</td><td>{{start_on}}</td></tr>',
    '<tr><td>End</td><td>{{end_on}}</td></tr>',
    '<tr><td>Signed on</td><td>{{signed_on}}</td></tr>',
    '</table>',
    '<h2>Terms</h2>',
    '<p>{{terms}}</p>',
  ].join('\n'),
  footer: 'Contract {{number}} — page {{page}} of {{pages}}',
};

/**
 * Print templates live in their own tenant table, not in the metadata document, so a tenant with the
 * CRM's objects gets them when it is created (an admin may change them afterwards; existing ones are kept).
 */
export async function installPrintTemplates(ctx: Ctx, context: PluginContext): Promise<void> {
  const model = await context.runtime.meta.model(ctx);
  if (!model.objects.has('contract')) return;
  const existing = await context.runtime.documents.listTemplates(ctx, 'contract');
  if (existing.some((t) => t.name === CONTRACT_TEMPLATE.name)) return;
  const { name, ...input } = CONTRACT_TEMPLATE;
  await context.runtime.documents.saveTemplate(ctx, 'contract', name, input);
}
