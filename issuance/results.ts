// Every answer of the issuance core is a tagged value. Denials are normal results with a detail
// code; an AppError means the request itself was bad or infrastructure failed.
import type { Outcome } from '../core/decision.ts';

export type ClaimResult =
  | { kind: 'granted'; couponId: string; claimId: string; campaignId: string; batchId: string; couponTypeId: string; replayed: boolean }
  | { kind: 'sold_out'; detail: 'stock' | 'budget'; replayed: boolean }
  | { kind: 'limit_reached'; detail: 'per_person' | 'per_type' | 'per_batch'; replayed: boolean }
  | { kind: 'not_eligible'; detail: 'no_eligibility' | 'campaign_not_published'; replayed: boolean }
  | { kind: 'not_open'; detail: 'before_drop' | 'batch_ended' | 'unknown_coupon_type'; replayed: boolean }
  /** The idempotency key was used before by a different request (another user or coupon type). */
  | { kind: 'duplicate'; detail: 'idempotency_key_reused'; replayed: boolean }
  | { kind: 'blocked'; detail: 'user_blocked' | 'risk'; reasons: string[]; replayed: boolean };

export type ClaimKind = ClaimResult['kind'];

export const REFUSAL_CODES = [
  'MERCHANT_NOT_REGISTERED',
  'MERCHANT_INACTIVE',
  'MERCHANT_BLOCKED',
  'CATEGORY_NOT_ALLOWED',
  'DISTRICT_NOT_ALLOWED',
  'THRESHOLD_NOT_MET',
  'CARD_BIN_NOT_ACCEPTED',
  'COUPON_NOT_FOUND',
  'COUPON_NOT_OWNED',
  'COUPON_NOT_YET_VALID',
  'COUPON_EXPIRED',
  'COUPON_ALREADY_USED',
  'NO_ELIGIBLE_COUPON',
  'RISK_BLOCKED',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export type RedeemResult =
  | {
      kind: 'redeemed';
      redemptionId: string;
      orderId: string;
      couponId: string;
      campaignId: string;
      orderFen: number;
      discountFen: number;
      paidFen: number;
      decision: Exclude<Outcome, 'block'>;
      /** `held` when the risk engine intercepted or the merchant is blocked: the customer keeps the discount, the subsidy waits. */
      settlement: 'owed' | 'held';
      reasons: string[];
      replayed: boolean;
    }
  | { kind: 'refused'; code: RefusalCode; reasons: string[]; replayed: boolean }
  /** A different request already used this order id. */
  | { kind: 'conflict'; orderId: string };

export type RefundResult =
  | { kind: 'refunded'; refundId: string; orderId: string; refundFen: number; full: boolean; couponReturned: boolean; subsidyFen: number; replayed: boolean }
  | { kind: 'refused'; code: 'ORDER_NOT_FOUND' | 'MERCHANT_MISMATCH' | 'REFUND_EXCEEDS_PAID' | 'ALREADY_FULLY_REFUNDED'; replayed: boolean }
  | { kind: 'conflict'; refundId: string };

export type SettlementStatus = 'owed' | 'held' | 'clawed_back';

export interface LedgerEntry {
  campaignId: string;
  orderId: string;
  merchantId: string;
  userId: string;
  /** CST calendar day of the redemption. */
  day: string;
  couponId: string;
  redemptionId: string;
  orderFen: number;
  discountFen: number;
  paidFen: number;
  refundedFen: number;
  /** What the program owes the merchant for this order now (fen). */
  subsidyFen: number;
  status: SettlementStatus;
  decision: Exclude<Outcome, 'block'>;
}

export type HoldAction = 'release' | 'clawback';
export type HoldResult =
  | { kind: 'released' | 'clawed_back'; entry: LedgerEntry }
  | { kind: 'not_found' }
  | { kind: 'not_held'; status: SettlementStatus };
