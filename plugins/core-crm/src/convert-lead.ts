import { type Ctx, conflict, type Runtime, runInUnitOfWork } from '@forma/platform/plugin-api';

export interface ConvertOptions {
  /** An existing account to attach the contact and deal to, instead of creating one. */
  account?: string;
  dealName?: string;
  amount?: number;
  closeOn?: string;
}

type Row = Record<string, unknown>;

/**
 * Converts a lead into an account (or reuses one), a contact and a deal, and marks the lead
 * converted with links to all three: one transaction, as the calling user (their permissions
 * apply to every record), so a refusal anywhere leaves nothing half done.
 */
export async function convertLead(runtime: Runtime, ctx: Ctx, leadId: string, opts: ConvertOptions = {}) {
  const { records } = runtime;
  return runInUnitOfWork(ctx, async (tx) => {
    const lead = (await records.get(tx, 'lead', leadId)) as Row;
    if (lead.status === 'converted') throw conflict('This lead is already converted');
    if (lead.status === 'disqualified') throw conflict('A disqualified lead cannot be converted; requalify it first');
    const company = String(lead.company);
    const account = opts.account
      ? ((await records.get(tx, 'account', opts.account)) as Row)
      : ((await records.create(tx, 'account', {
          name: company,
          type: 'prospect',
          ...pick(lead, ['industry', 'phone']),
        })) as Row);
    const contact = (await records.create(tx, 'contact', {
      last_name: String(lead.contact_name || company).slice(0, 100),
      account: account.id,
      ...pick(lead, ['email', 'phone']),
    })) as Row;
    const deal = (await records.create(tx, 'deal', {
      name: opts.dealName ?? `${company} — new business`.slice(0, 200),
      account: account.id,
      contact: contact.id,
      amount: opts.amount ?? lead.estimated_amount ?? 0,
      stage: 'qualification',
      ...(opts.closeOn ? { close_on: opts.closeOn } : {}),
      ...pick(lead, ['source', 'campaign']),
    })) as Row;
    const converted = await records.update(
      tx,
      'lead',
      leadId,
      { status: 'converted', converted_account: account.id, converted_contact: contact.id, converted_deal: deal.id },
      { version: Number(lead.version) },
    );
    return { lead: converted, account, contact, deal };
  });
}

function pick(row: Row, fields: string[]): Row {
  return Object.fromEntries(fields.filter((f) => row[f] !== null && row[f] !== undefined).map((f) => [f, row[f]]));
}
