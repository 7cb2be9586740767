// A shell's coupons are spent by accounts that one person controls: borrowed identities whose
// real-name phone numbers are shared, or one ID behind several accounts. Honest households share
// a home IP, a device or a card, but each member registers their own phone; a cash-out shop's
// recruits are separate people. Observed: the larger of the accounts on the payer's ID hash and on
// its phone hash in the eligibility import (the payer included); the merchant carries the hit.
// An ID shared by exactly two accounts is left to a higher bar: a typo or re-registration makes
// pairs, a person farming accounts makes more.
import { z } from 'zod';
import type { Redemption } from '../../../core/events.ts';
import { defineRule, hit, noHit } from '../../types.ts';

export default defineRule({
  id: 'subsidy.linked_payers',
  version: 1,
  fraudType: 'subsidy_fraud',
  reason: 'SUBSIDY.LINKED_PAYER',
  appliesTo: ['redemption'],
  subject: 'merchant',
  configSchema: z.object({ idAccountsAtLeast: z.number().int().min(2), phoneAccountsAtLeast: z.number().int().min(2) }),
  features: () => [],
  evaluate(e, _f, c, ctx) {
    const n = ctx.reference.accountsSharingIdentity((e as Redemption).userId);
    if (n === undefined) return noHit(null);
    const observed = Math.max(n.byId, n.byPhone);
    return n.byId >= c.idAccountsAtLeast || n.byPhone >= c.phoneAccountsAtLeast ? hit('SUBSIDY.LINKED_PAYER', observed) : noHit(observed);
  },
});
