// The shop's registered owner spending coupons at their own shop: the subsidy goes from the
// program straight to the owner. Needs the owner's ID hash from merchant.registered and the
// account's from its claim or the eligibility import. Observed: 1 on a match.
import { z } from 'zod';
import type { Redemption } from '../../../core/events.ts';
import { defineRule, hit, noHit } from '../../types.ts';

export default defineRule({
  id: 'subsidy.owner_redeems',
  version: 1,
  fraudType: 'subsidy_fraud',
  reason: 'SUBSIDY.OWNER_REDEEMS',
  appliesTo: ['redemption'],
  subject: 'merchant',
  configSchema: z.object({}),
  features: () => [],
  evaluate(e, _f, _c, ctx) {
    const ev = e as Redemption;
    const owner = ctx.reference.merchants.get(ev.merchantId)?.ownerIdHash;
    const payer = ctx.reference.identityOf(ev.userId)?.idHash;
    if (owner === undefined || payer === undefined) return noHit(null);
    return owner === payer ? hit('SUBSIDY.OWNER_REDEEMS', 1) : noHit(0);
  },
});
