// The embedded hot state: the same semantics as the Redis scripts, in one process. Every method
// runs to completion without awaiting in between, which is what makes each step atomic here.
// `MemoryIssuanceStore.open(dir)` makes it durable as Redis is: each call that changed the state is
// journaled (core/journal.ts) before it returns, and replayed at the next start.
import type { Clock } from '../../core/clock.ts';
import { Journal, type JournalLoad, type JournalOptions } from '../../core/journal.ts';
import { allCouponTypes, couponTypeInfo, type CampaignDefinition, type StoredCampaign } from '../campaign.ts';
import type { ClaimResult, HoldAction, HoldResult, LedgerEntry, RedeemResult, RefundResult } from '../results.ts';
import { MemoryOutbox } from './memory-outbox.ts';
import { StaleIdentityError } from './store.ts';
import { claimFingerprint, limitReached, subsidyAfterRefund } from './rules.ts';
import type { ClaimCommand, EligibilityGrant, GrantOutcome, Identity, IssuanceStore, MerchantRecord, RedeemCommand, RefundCommand, WalletCoupon } from './store.ts';

interface CouponRow extends WalletCoupon {
  userId: string;
  idHash: string;
  discountFen: number;
}

interface OrderRow extends LedgerEntry {
  fingerprint: string;
  stored: Exclude<RedeemResult, { kind: 'conflict' }>;
}

interface CampaignState {
  stored: StoredCampaign;
  stock: Map<string, number>;
  budgetFen: number;
  bindings: Map<string, Identity>;
  person: Map<string, Map<string, number>>;
  idem: Map<string, { fingerprint: string; result: ClaimResult }>;
  coupons: Map<string, CouponRow>;
  wallets: Map<string, string[]>;
  orders: Map<string, OrderRow>;
  refunds: Map<string, { fingerprint: string; result: Exclude<RefundResult, { kind: 'conflict' }> }>;
  /** Orders refused by the risk engine: the order id is taken, the answer replays. */
  blockedOrders: Map<string, { fingerprint: string; stored: Exclude<RedeemResult, { kind: 'conflict' }> }>;
}

export const GLOBAL_STREAM = 'global';
export const campaignStream = (campaignId: string) => `campaign:${campaignId}`;

/** The calls that change the state, by the name the journal records (outbox calls as `outbox.<name>`). */
const JOURNALED = new Set(['createCampaign', 'publishCampaign', 'grantEligibility', 'claim', 'putMerchant', 'blockMerchant', 'blockUser', 'redeem', 'refund', 'settleHold']);

export class MemoryIssuanceStore implements IssuanceStore {
  readonly backend = 'memory' as const;
  readonly outbox: MemoryOutbox;
  private campaigns = new Map<string, CampaignState>();
  private merchants = new Map<string, MerchantRecord>();
  private blockedUsers = new Set<string>();
  private orderIndex = new Map<string, string>();
  private journal: Journal | null = null;
  /** During a replay: the recorded time, which the outbox's ids and delivery times read. */
  private replayAt: number | null = null;
  private readonly clock: Clock;

  /** One time per synchronous call (what an outbox id reads is what the journal records); cleared after it. */
  private latched: number | null = null;

  constructor(clock: Clock) {
    this.clock = {
      now: () => {
        if (this.replayAt !== null) return this.replayAt;
        if (this.latched === null) {
          this.latched = clock.now();
          queueMicrotask(() => (this.latched = null));
        }
        return this.latched;
      },
    };
    this.outbox = new MemoryOutbox(this.clock, (op, args) => this.record(`outbox.${op}`, args));
  }

  /**
   * A store kept in `dir` across restarts: what the journal there holds is replayed first. One
   * process at a time (the journal's lock); `close()` releases it.
   */
  static open(dir: string, clock: Clock, opts: JournalOptions = {}): MemoryIssuanceStore & { readonly loaded: JournalLoad } {
    const store = new MemoryIssuanceStore(clock);
    store.journal = Journal.open(
      dir,
      'issuance',
      {
        apply: (op, args, now) => store.apply(op, args, now),
        snapshot: () => ({ campaigns: store.campaigns, merchants: store.merchants, blockedUsers: store.blockedUsers, orderIndex: store.orderIndex, outbox: store.outbox.state() }),
        restore: (state) => {
          const st = state as { campaigns: Map<string, CampaignState>; merchants: Map<string, MerchantRecord>; blockedUsers: Set<string>; orderIndex: Map<string, string>; outbox: ReturnType<MemoryOutbox['state']> };
          store.campaigns = st.campaigns;
          store.merchants = st.merchants;
          store.blockedUsers = st.blockedUsers;
          store.orderIndex = st.orderIndex;
          store.outbox.restore(st.outbox);
        },
      },
      opts,
    );
    return Object.assign(store, { loaded: store.journal.loaded });
  }

  /** Replays a journaled call; runs only while `open` replays, before `journal` is set, so nothing is recorded again. */
  private apply(op: string, args: unknown[], now: number): void {
    this.replayAt = now;
    try {
      if (op.startsWith('outbox.')) this.outbox.apply(op.slice('outbox.'.length), args);
      else if (JOURNALED.has(op)) void (this as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[op]!(...args).catch(() => {});
      else throw new Error(`memory store: the journal holds an unknown call ${op}`);
    } finally {
      this.replayAt = null;
    }
  }

  /** Bytes this store has written to its journal since it was opened (0 without one). */
  get journalBytesWritten(): number {
    return this.journal?.bytesWritten ?? 0;
  }

  /** The journal's rewrites into a snapshot so far (none without a journal). */
  get journalRewrites(): { count: number; maxMs: number; lastSnapshotBytes: number } {
    return this.journal?.rewrites ?? { count: 0, maxMs: 0, lastSnapshotBytes: 0 };
  }

  private record(op: string, args: unknown[]): void {
    this.journal?.record(op, args, this.clock.now());
  }

  async createCampaign(def: CampaignDefinition): Promise<boolean> {
    if (this.campaigns.has(def.campaignId)) return false;
    this.record('createCampaign', [def]);
    this.campaigns.set(def.campaignId, {
      stored: { definition: structuredClone(def), status: 'draft' },
      stock: new Map(),
      budgetFen: 0,
      bindings: new Map(),
      person: new Map(),
      idem: new Map(),
      coupons: new Map(),
      wallets: new Map(),
      orders: new Map(),
      refunds: new Map(),
      blockedOrders: new Map(),
    });
    return true;
  }

  async getCampaign(campaignId: string): Promise<StoredCampaign | null> {
    const c = this.campaigns.get(campaignId);
    return c ? structuredClone(c.stored) : null;
  }

  async listCampaignIds(): Promise<string[]> {
    return [...this.campaigns.keys()];
  }

  async publishCampaign(campaignId: string, eventJson: string): Promise<'published' | 'already_published' | 'not_found'> {
    const c = this.campaigns.get(campaignId);
    if (!c) return 'not_found';
    if (c.stored.status === 'published') return 'already_published';
    c.stored.status = 'published';
    this.record('publishCampaign', [campaignId, eventJson]);
    for (const t of allCouponTypes(c.stored.definition)) c.stock.set(t.type.couponTypeId, t.type.quantity);
    c.budgetFen = c.stored.definition.budgetFen;
    this.outbox.append(campaignStream(campaignId), eventJson);
    return 'published';
  }

  async grantEligibility(campaignId: string, grants: EligibilityGrant[]): Promise<GrantOutcome[]> {
    const c = this.campaigns.get(campaignId);
    if (!c) throw new Error(`memory store: unknown campaign ${campaignId}`);
    const outcomes = grants.map((g): GrantOutcome => {
      const bound = c.bindings.get(g.userId);
      if (bound) return bound.idHash === g.idHash ? 'unchanged' : 'conflict';
      c.bindings.set(g.userId, { idHash: g.idHash, phoneHash: g.phoneHash });
      this.outbox.append(campaignStream(campaignId), g.eventJson);
      return 'granted';
    });
    const granted = grants.filter((_, i) => outcomes[i] === 'granted');
    // In lines of at most 10,000 grants: a city's import in one line could outgrow a string.
    for (let i = 0; i < granted.length; i += 10_000) this.record('grantEligibility', [campaignId, granted.slice(i, i + 10_000)]);
    return outcomes;
  }

  async identity(campaignId: string, userId: string): Promise<Identity | null> {
    return this.campaigns.get(campaignId)?.bindings.get(userId) ?? null;
  }

  async claim(cmd: ClaimCommand): Promise<ClaimResult> {
    const c = this.campaigns.get(cmd.campaignId);
    const fingerprint = claimFingerprint(cmd.userId, cmd.couponTypeId);
    const idemKey = `${cmd.userId}\n${cmd.idempotencyKey}`;
    const seen = c?.idem.get(idemKey);
    if (seen) return seen.fingerprint === fingerprint ? { ...seen.result, replayed: true } : { kind: 'duplicate', detail: 'idempotency_key_reused', replayed: false };
    if (!c || c.stored.status !== 'published') return { kind: 'not_eligible', detail: 'campaign_not_published', replayed: false };
    const info = couponTypeInfo(c.stored.definition, cmd.couponTypeId);
    if (!info || info.batch.batchId !== cmd.batchId) return { kind: 'not_open', detail: 'unknown_coupon_type', replayed: false };
    if (cmd.nowMs < info.claimFromMs) return { kind: 'not_open', detail: 'before_drop', replayed: false };
    if (cmd.nowMs >= info.claimUntilMs) return { kind: 'not_open', detail: 'batch_ended', replayed: false };
    const bound = c.bindings.get(cmd.userId);
    if (!bound) return { kind: 'not_eligible', detail: 'no_eligibility', replayed: false };
    if (bound.idHash !== cmd.idHash) throw new StaleIdentityError();
    if (this.blockedUsers.has(cmd.userId)) return { kind: 'blocked', detail: 'user_blocked', reasons: ['USER.BLOCKLISTED'], replayed: false };
    if (cmd.risk.decision === 'block') return { kind: 'blocked', detail: 'risk', reasons: cmd.risk.reasons, replayed: false };
    const limits = c.stored.definition.limits;
    let counts = c.person.get(cmd.idHash);
    if (!counts) c.person.set(cmd.idHash, (counts = new Map()));
    const batchId = info.batch.batchId;
    if (limitReached(counts.get('total') ?? 0, limits.perPerson)) return { kind: 'limit_reached', detail: 'per_person', replayed: false };
    if (limitReached(counts.get(`t:${cmd.couponTypeId}`) ?? 0, limits.perPersonPerType)) return { kind: 'limit_reached', detail: 'per_type', replayed: false };
    if (limitReached(counts.get(`b:${batchId}`) ?? 0, limits.perPersonPerBatch)) return { kind: 'limit_reached', detail: 'per_batch', replayed: false };
    const stock = c.stock.get(cmd.couponTypeId) ?? 0;
    if (stock <= 0) return { kind: 'sold_out', detail: 'stock', replayed: false };
    if (c.budgetFen < info.type.discountFen) return { kind: 'sold_out', detail: 'budget', replayed: false };

    c.stock.set(cmd.couponTypeId, stock - 1);
    c.budgetFen -= info.type.discountFen;
    bump(counts, 'total', 1);
    bump(counts, `t:${cmd.couponTypeId}`, 1);
    bump(counts, `b:${batchId}`, 1);
    c.coupons.set(cmd.couponId, {
      couponId: cmd.couponId,
      campaignId: cmd.campaignId,
      batchId,
      couponTypeId: cmd.couponTypeId,
      status: 'unused',
      claimedAtMs: cmd.nowMs,
      userId: cmd.userId,
      idHash: cmd.idHash,
      discountFen: info.type.discountFen,
    });
    const wallet = c.wallets.get(cmd.userId) ?? [];
    wallet.push(cmd.couponId);
    c.wallets.set(cmd.userId, wallet);
    this.outbox.append(campaignStream(cmd.campaignId), cmd.eventJson);
    const result: ClaimResult = { kind: 'granted', couponId: cmd.couponId, claimId: cmd.claimId, campaignId: cmd.campaignId, batchId, couponTypeId: cmd.couponTypeId, replayed: false };
    c.idem.set(idemKey, { fingerprint, result });
    this.record('claim', [cmd]);
    return result;
  }

  async wallet(campaignId: string, userId: string): Promise<WalletCoupon[]> {
    const c = this.campaigns.get(campaignId);
    if (!c) return [];
    return (c.wallets.get(userId) ?? []).map((id) => {
      const { userId: _u, idHash: _h, discountFen: _d, ...coupon } = c.coupons.get(id)!;
      return coupon;
    });
  }

  async inventory(campaignId: string): Promise<{ stock: Record<string, number>; budgetFen: number } | null> {
    const c = this.campaigns.get(campaignId);
    if (!c || c.stored.status !== 'published') return null;
    return { stock: Object.fromEntries(c.stock), budgetFen: c.budgetFen };
  }

  async putMerchant(m: MerchantRecord, eventJson: string): Promise<void> {
    const isNew = !this.merchants.has(m.merchantId);
    this.merchants.set(m.merchantId, { ...m });
    this.record('putMerchant', [m, eventJson]);
    if (isNew) this.outbox.append(GLOBAL_STREAM, eventJson);
  }

  async getMerchant(merchantId: string): Promise<MerchantRecord | null> {
    const m = this.merchants.get(merchantId);
    return m ? { ...m } : null;
  }

  async blockMerchant(merchantId: string): Promise<number | null> {
    const m = this.merchants.get(merchantId);
    if (!m) return null;
    m.blocked = true;
    this.record('blockMerchant', [merchantId]);
    let held = 0;
    for (const c of this.campaigns.values())
      for (const o of c.orders.values())
        if (o.merchantId === merchantId && o.status === 'owed') {
          o.status = 'held';
          held++;
        }
    return held;
  }

  async blockUser(userId: string): Promise<void> {
    this.blockedUsers.add(userId);
    this.record('blockUser', [userId]);
  }

  async orderCampaign(orderId: string): Promise<string | null> {
    return this.orderIndex.get(orderId) ?? null;
  }

  async priorRedemption(campaignId: string, orderId: string): Promise<{ fingerprint: string; result: Exclude<RedeemResult, { kind: 'conflict' }> } | null> {
    const c = this.campaigns.get(campaignId);
    const prior = c?.orders.get(orderId) ?? c?.blockedOrders.get(orderId);
    return prior ? { fingerprint: prior.fingerprint, result: { ...prior.stored, replayed: true } } : null;
  }

  async order(campaignId: string, orderId: string): Promise<LedgerEntry | null> {
    const o = this.campaigns.get(campaignId)?.orders.get(orderId);
    if (!o) return null;
    const { fingerprint: _f, stored: _s, ...entry } = o;
    return entry;
  }

  async coupon(campaignId: string, couponId: string): Promise<(WalletCoupon & { userId: string }) | null> {
    const row = this.campaigns.get(campaignId)?.coupons.get(couponId);
    if (!row) return null;
    const { idHash: _h, discountFen: _d, ...coupon } = row;
    return coupon;
  }

  async redeem(cmd: RedeemCommand): Promise<RedeemResult> {
    const indexed = this.orderIndex.get(cmd.orderId);
    if (indexed !== undefined && indexed !== cmd.campaignId) return { kind: 'conflict', orderId: cmd.orderId };
    // The first campaign to see an order id keeps it, as in the Redis store's global index.
    this.orderIndex.set(cmd.orderId, cmd.campaignId);
    const c = this.campaigns.get(cmd.campaignId);
    if (!c) {
      if (indexed === undefined) this.record('redeem', [cmd]); // the order id is taken even so
      return { kind: 'refused', code: 'COUPON_NOT_FOUND', reasons: [], replayed: false };
    }
    const prior = c.orders.get(cmd.orderId) ?? c.blockedOrders.get(cmd.orderId);
    if (prior) return prior.fingerprint === cmd.fingerprint ? { ...prior.stored, replayed: true } : { kind: 'conflict', orderId: cmd.orderId };
    // From here every answer took the order id or changed the coupon; replaying the call gives it again.
    this.record('redeem', [cmd]);
    if (cmd.risk.decision === 'block') {
      const stored = { kind: 'refused' as const, code: 'RISK_BLOCKED' as const, reasons: cmd.risk.reasons, replayed: false };
      c.blockedOrders.set(cmd.orderId, { fingerprint: cmd.fingerprint, stored });
      return stored;
    }
    const refuse0 = (code: Extract<RedeemResult, { kind: 'refused' }>['code']): RedeemResult => ({ kind: 'refused', code, reasons: [], replayed: false });
    if (this.merchants.get(cmd.merchantId)?.blocked) return refuse0('MERCHANT_BLOCKED');
    const coupon = c.coupons.get(cmd.couponId);
    const refuse = (code: Extract<RedeemResult, { kind: 'refused' }>['code']): RedeemResult => ({ kind: 'refused', code, reasons: [], replayed: false });
    if (!coupon) return refuse('COUPON_NOT_FOUND');
    if (coupon.userId !== cmd.userId) return refuse('COUPON_NOT_OWNED');
    if (coupon.status !== 'unused') return refuse('COUPON_ALREADY_USED');
    const info = couponTypeInfo(c.stored.definition, coupon.couponTypeId)!;
    if (cmd.nowMs < info.validFromMs) return refuse('COUPON_NOT_YET_VALID');
    if (cmd.nowMs >= info.validUntilMs) return refuse('COUPON_EXPIRED');

    coupon.status = 'used';
    const decision = cmd.risk.decision as Exclude<typeof cmd.risk.decision, 'block'>;
    const status: 'owed' | 'held' = decision === 'intercept' || cmd.merchantBlocked ? 'held' : 'owed';
    const paidFen = cmd.orderFen - cmd.discountFen;
    const stored = {
      kind: 'redeemed' as const,
      redemptionId: cmd.redemptionId,
      orderId: cmd.orderId,
      couponId: cmd.couponId,
      campaignId: cmd.campaignId,
      orderFen: cmd.orderFen,
      discountFen: cmd.discountFen,
      paidFen,
      decision,
      settlement: status,
      reasons: cmd.risk.reasons,
      replayed: false,
    };
    c.orders.set(cmd.orderId, {
      campaignId: cmd.campaignId,
      orderId: cmd.orderId,
      merchantId: cmd.merchantId,
      userId: cmd.userId,
      day: cmd.day,
      couponId: cmd.couponId,
      redemptionId: cmd.redemptionId,
      orderFen: cmd.orderFen,
      discountFen: cmd.discountFen,
      paidFen,
      refundedFen: 0,
      subsidyFen: cmd.discountFen,
      status,
      decision,
      fingerprint: cmd.fingerprint,
      stored,
    });
    this.outbox.append(campaignStream(cmd.campaignId), cmd.eventJson);
    return stored;
  }

  async refund(cmd: RefundCommand): Promise<RefundResult> {
    const c = this.campaigns.get(cmd.campaignId);
    const fingerprint = `${cmd.orderId}|${cmd.refundFen}`;
    const prior = c?.refunds.get(cmd.refundId);
    if (prior) return prior.fingerprint === fingerprint ? { ...prior.result, replayed: true } : { kind: 'conflict', refundId: cmd.refundId };
    const order = c?.orders.get(cmd.orderId);
    if (!c || !order) return { kind: 'refused', code: 'ORDER_NOT_FOUND', replayed: false };
    if (order.merchantId !== cmd.merchantId) return { kind: 'refused', code: 'MERCHANT_MISMATCH', replayed: false };
    const remaining = order.paidFen - order.refundedFen;
    if (order.refundedFen > 0 && remaining === 0) return { kind: 'refused', code: 'ALREADY_FULLY_REFUNDED', replayed: false };
    if (cmd.refundFen > remaining) return { kind: 'refused', code: 'REFUND_EXCEEDS_PAID', replayed: false };

    const coupon = c.coupons.get(order.couponId)!;
    const before = order.subsidyFen;
    order.refundedFen += cmd.refundFen;
    const full = order.refundedFen >= order.paidFen;
    const after = order.status === 'clawed_back' ? 0 : subsidyAfterRefund(order.discountFen, order.paidFen, order.refundedFen);
    order.subsidyFen = after;
    let released = before - after;
    let couponReturned = false;
    if (full && order.status !== 'clawed_back') {
      const policy = c.stored.definition.refundPolicy;
      const info = couponTypeInfo(c.stored.definition, coupon.couponTypeId)!;
      if (policy === 'return_to_pool') {
        coupon.status = 'voided';
        c.stock.set(coupon.couponTypeId, (c.stock.get(coupon.couponTypeId) ?? 0) + 1);
        const counts = c.person.get(coupon.idHash)!;
        bump(counts, 'total', -1);
        bump(counts, `t:${coupon.couponTypeId}`, -1);
        bump(counts, `b:${coupon.batchId}`, -1);
        couponReturned = true;
      } else if (policy === 'return_if_full_refund_within_validity' && cmd.nowMs < info.validUntilMs && c.budgetFen + released >= coupon.discountFen) {
        // The coupon goes back to its owner with its full reservation; what earlier partial refunds
        // released to the budget is reserved again, and only if the budget still has it.
        coupon.status = 'unused';
        released -= coupon.discountFen;
        couponReturned = true;
      }
    }
    c.budgetFen += released;
    const result = { kind: 'refunded' as const, refundId: cmd.refundId, orderId: cmd.orderId, refundFen: cmd.refundFen, full, couponReturned, subsidyFen: after, replayed: false };
    c.refunds.set(cmd.refundId, { fingerprint, result });
    this.record('refund', [cmd]);
    this.outbox.append(campaignStream(cmd.campaignId), `${cmd.eventJsonPrefix},"couponReturned":${couponReturned}}`);
    return result;
  }

  async ledger(filter: { merchantId?: string; day?: string; status?: LedgerEntry['status'] }): Promise<LedgerEntry[]> {
    const out: LedgerEntry[] = [];
    for (const c of this.campaigns.values())
      for (const o of c.orders.values()) {
        if (filter.merchantId && o.merchantId !== filter.merchantId) continue;
        if (filter.day && o.day !== filter.day) continue;
        if (filter.status && o.status !== filter.status) continue;
        const { fingerprint: _f, stored: _s, ...entry } = o;
        out.push(entry);
      }
    return out;
  }

  async settleHold(campaignId: string, orderId: string, action: HoldAction): Promise<HoldResult> {
    const c = this.campaigns.get(campaignId);
    const o = c?.orders.get(orderId);
    if (!c || !o) return { kind: 'not_found' };
    if (action === 'release') {
      if (o.status !== 'held') return { kind: 'not_held', status: o.status };
      o.status = 'owed';
    } else {
      if (o.status === 'clawed_back') return { kind: 'not_held', status: o.status };
      c.budgetFen += o.subsidyFen;
      o.subsidyFen = 0;
      o.status = 'clawed_back';
    }
    this.record('settleHold', [campaignId, orderId, action]);
    const { fingerprint: _f, stored: _s, ...entry } = o;
    return { kind: action === 'release' ? 'released' : 'clawed_back', entry };
  }

  async close(): Promise<void> {
    this.journal?.close();
    this.journal = null;
  }
}

function bump(m: Map<string, number>, k: string, by: number): void {
  m.set(k, (m.get(k) ?? 0) + by);
}
