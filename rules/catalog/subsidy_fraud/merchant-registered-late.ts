// Shops registered just before a campaign, to collect subsidy through a shell. Observed: days
// between registration and the campaign start (negative: registered after it started).
import { z } from 'zod';
import type { Redemption } from '../../../core/events.ts';
import { defineRule, hit, noHit, SKIPPED } from '../../types.ts';

export default defineRule({
  id: 'subsidy.merchant_registered_late',
  version: 1,
  fraudType: 'subsidy_fraud',
  reason: 'SUBSIDY.NEW_MERCHANT',
  appliesTo: ['redemption'],
  subject: 'merchant',
  configSchema: z.object({ withinDays: z.number().positive() }),
  features: () => [],
  evaluate(e, _f, c, ctx) {
    const ev = e as Redemption;
    const campaign = ctx.reference.campaigns.get(ev.campaignId);
    const m = ctx.reference.merchants.get(ev.merchantId);
    if (!campaign || !m) return SKIPPED;
    const days = Math.round(((campaign.startsAt - m.registeredAt) / 86_400_000) * 10) / 10;
    return days < c.withinDays ? hit('SUBSIDY.NEW_MERCHANT', days) : noHit(days);
  },
});
