// The hot state of the issuance core, defined by its user. Two implementations share one contract
// suite: redis.ts (Lua scripts, one atomic step per claim/redemption/refund) and memory.ts (the same
// semantics in-process, for the embedded default and unit tests).
import type { Outcome } from '../../core/decision.ts';
import type { Category, District } from '../../core/events.ts';
import type { CampaignDefinition, StoredCampaign } from '../campaign.ts';
import type { ClaimResult, HoldAction, HoldResult, LedgerEntry, RedeemResult, RefundResult } from '../results.ts';
import type { Outbox } from './outbox.ts';

export interface Identity {
  idHash: string;
  phoneHash: string;
}

export interface EligibilityGrant extends Identity {
  userId: string;
  /** The `eligibility.granted` event appended to the outbox when the grant is new. */
  eventJson: string;
}

/** `conflict`: the account is already bound to another person. One person may hold several accounts; each account is one person. */
export type GrantOutcome = 'granted' | 'unchanged' | 'conflict';

export interface ClaimCommand {
  campaignId: string;
  couponTypeId: string;
  /** The coupon type's batch, from the published definition. */
  batchId: string;
  /**
   * The published definition's constants for this coupon type. A published definition never
   * changes, so the Redis script takes them as arguments instead of reading them per claim.
   */
  terms: ClaimTerms;
  userId: string;
  /** Scoped to the user: the same key from another user is a different request. */
  idempotencyKey: string;
  /** The identity the caller looked up; the script checks it still matches the binding. */
  idHash: string;
  nowMs: number;
  claimId: string;
  couponId: string;
  /** The `claim` event appended to the outbox if granted. */
  eventJson: string;
  risk: { decision: Outcome; reasons: string[] };
}

export interface ClaimTerms {
  discountFen: number;
  claimFromMs: number;
  claimUntilMs: number;
  limits: { perPerson: number; perPersonPerType: number; perPersonPerBatch: number };
}

export interface WalletCoupon {
  couponId: string;
  campaignId: string;
  batchId: string;
  couponTypeId: string;
  status: 'unused' | 'used' | 'voided';
  claimedAtMs: number;
}

export interface MerchantRecord {
  merchantId: string;
  name: string;
  category: Category;
  district: District;
  active: boolean;
  blocked: boolean;
}

export interface RedeemCommand {
  campaignId: string;
  couponId: string;
  userId: string;
  merchantId: string;
  orderId: string;
  /** Everything that makes two requests "the same request" for order-id idempotency. */
  fingerprint: string;
  orderFen: number;
  discountFen: number;
  nowMs: number;
  day: string;
  redemptionId: string;
  eventJson: string;
  risk: { decision: Outcome; reasons: string[] };
  merchantBlocked: boolean;
}

export interface RefundCommand {
  campaignId: string;
  refundId: string;
  orderId: string;
  merchantId: string;
  refundFen: number;
  nowMs: number;
  /** The `refund` event without `couponReturned` and its closing brace: the store decides and appends it. */
  eventJsonPrefix: string;
}

export interface IssuanceStore {
  readonly backend: 'memory' | 'redis';
  /** Stores a draft; false when the id exists already. */
  createCampaign(def: CampaignDefinition): Promise<boolean>;
  getCampaign(campaignId: string): Promise<StoredCampaign | null>;
  listCampaignIds(): Promise<string[]>;
  /** Opens stock and budget and appends `campaign.published`, once. */
  publishCampaign(campaignId: string, eventJson: string): Promise<'published' | 'already_published' | 'not_found'>;
  grantEligibility(campaignId: string, grants: EligibilityGrant[]): Promise<GrantOutcome[]>;
  identity(campaignId: string, userId: string): Promise<Identity | null>;
  claim(cmd: ClaimCommand): Promise<ClaimResult>;
  wallet(campaignId: string, userId: string): Promise<WalletCoupon[]>;
  /** Remaining stock per coupon type and budget in fen. */
  inventory(campaignId: string): Promise<{ stock: Record<string, number>; budgetFen: number } | null>;
  putMerchant(m: MerchantRecord, eventJson: string): Promise<void>;
  getMerchant(merchantId: string): Promise<MerchantRecord | null>;
  /** Marks the merchant blocked and moves its owed subsidies to held. Returns how many were held. */
  blockMerchant(merchantId: string): Promise<number | null>;
  blockUser(userId: string): Promise<void>;
  redeem(cmd: RedeemCommand): Promise<RedeemResult>;
  /** Which campaign first saw an order id, if any. */
  orderCampaign(orderId: string): Promise<string | null>;
  /** The stored answer for an order id and what request produced it, for replays before any other check. */
  priorRedemption(campaignId: string, orderId: string): Promise<{ fingerprint: string; result: Exclude<RedeemResult, { kind: 'conflict' }> } | null>;
  order(campaignId: string, orderId: string): Promise<LedgerEntry | null>;
  coupon(campaignId: string, couponId: string): Promise<(WalletCoupon & { userId: string }) | null>;
  refund(cmd: RefundCommand): Promise<RefundResult>;
  ledger(filter: { merchantId?: string; day?: string; status?: LedgerEntry['status'] }): Promise<LedgerEntry[]>;
  settleHold(campaignId: string, orderId: string, action: HoldAction): Promise<HoldResult>;
  readonly outbox: Outbox;
  close(): Promise<void>;
}

/** The caller's identity lookup raced a change of binding; the service looks it up again. */
export class StaleIdentityError extends Error {
  constructor() {
    super('identity binding changed during the claim');
  }
}
