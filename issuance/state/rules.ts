// Small pure pieces of the claim/redemption semantics that both stores share, so the memory store
// and the Lua scripts cannot drift apart on them (the Lua side mirrors these by hand; the contract
// suite checks that they agree).

/** A limit of 0 means "no limit" (a campaign that allows nobody a coupon has no use). */
export function limitReached(count: number, limit: number): boolean {
  return limit > 0 && count >= limit;
}

/** Subsidy left after refunds: proportional to what the customer still pays, rounded down. */
export function subsidyAfterRefund(discountFen: number, paidFen: number, refundedFen: number): number {
  if (paidFen <= 0) return refundedFen > 0 ? 0 : discountFen;
  return Math.floor((discountFen * (paidFen - refundedFen)) / paidFen);
}

export function claimFingerprint(userId: string, couponTypeId: string): string {
  return `${userId}|${couponTypeId}`;
}
