type Row = Record<string, unknown>;

/**
 * A campaign's cost is the roll-up of its approved expense lines, so it cannot be typed. Sample data
 * written with a typed `cost` (campaigns booked before expenses were tracked) is turned into one
 * approved marketing claim per campaign with that amount, owned by the campaign's owner: the
 * dashboards show the same cost, now coming from expenses.
 */
export function withBookedCampaignCosts(data: Record<string, Row[]>): Record<string, Row[]> {
  const out = structuredClone(data);
  const claims: Row[] = [];
  for (const [i, campaign] of (out.campaign ?? []).entries()) {
    if (campaign.cost === undefined) continue;
    const { cost, ...rest } = campaign;
    const key = String(rest._key ?? `campaign_${i}`);
    out.campaign![i] = { ...rest, _key: key };
    claims.push({
      ...(rest._owner ? { _owner: rest._owner } : {}),
      title: `${rest.name} – campaign spend`,
      status: 'approved',
      lines: [
        {
          spent_on: rest.end_on ?? rest.start_on,
          category: 'marketing',
          description: `${rest.name} (booked)`,
          amount: cost,
          campaign: `@${key}`,
          approved: true,
        },
      ],
    });
  }
  if (claims.length) out.expense_claim = [...(out.expense_claim ?? []), ...claims];
  return out;
}
