// The issuance use cases: thin orchestration between the HTTP/CLI edge, the risk decider and the
// hot-state store. Everything that must be atomic happens inside one store call.
import { toCstIso, cstDay, type Clock } from '../core/clock.ts';
import type { RiskDecider, RiskDecision } from '../core/decision.ts';
import { AppError, unavailable } from '../core/errors.ts';
import type { Claim, Item, MerchantRegistered, Redemption } from '../core/events.ts';
import { newId } from '../core/ids.ts';
import { Rng } from '../core/rng.ts';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../core/logger.ts';
import { acceptedBins, claimTerms, couponTypeInfo, toPublishedEvent, type CampaignDefinition, type CouponTypeInfo, type StoredCampaign } from './campaign.ts';
import { parseWinners, type Rejection } from './eligibility.ts';
import type { ClaimResult, HoldAction, HoldResult, LedgerEntry, RedeemResult, RefundResult, RefusalCode } from './results.ts';
import { StaleIdentityError, type ClaimTerms, type Identity, type IssuanceStore, type MerchantRecord, type WalletCoupon } from './state/store.ts';

export interface IssuanceDeps {
  store: IssuanceStore;
  decider: RiskDecider;
  clock: Clock;
  logger: Logger;
  hmacSecret: string;
  /**
   * Randomness for ids (claim, coupon, redemption, event). Defaults to a generator seeded from the
   * OS once per service: ids must be unique, not secret (a coupon is only usable by its owner),
   * and one OS call per id was a measurable share of a claim.
   */
  idRng?: Rng;
}

export interface ClaimRequest {
  campaignId: string;
  couponTypeId: string;
  userId: string;
  idempotencyKey: string;
  channel: Claim['channel'];
  deviceId?: string;
  ip?: string;
  lat?: number;
  lon?: number;
  userAgent?: string;
  accountCreatedAt?: string;
}

export interface RedeemRequest {
  campaignId: string;
  orderId: string;
  merchantId: string;
  userId: string;
  orderFen: number;
  cardBin: string;
  couponId?: string;
  terminalId?: string;
  cardHash?: string;
  deviceId?: string;
  ip?: string;
  lat?: number;
  lon?: number;
  items?: Item[];
}

export interface RefundRequest {
  refundId: string;
  orderId: string;
  merchantId: string;
  refundFen: number;
}

export interface ImportReport {
  campaignId: string;
  lines: number;
  granted: number;
  unchanged: number;
  rejected: Rejection[];
}

const IDENTITY_CACHE_MAX = 200_000;

export class IssuanceService {
  private readonly published = new Map<string, CampaignDefinition>();
  /** Per published campaign and coupon type: its batch, windows and claim terms (parsed once). */
  private readonly typeTerms = new Map<string, { info: CouponTypeInfo; terms: ClaimTerms }>();
  /**
   * Account-to-person bindings never change once made (a rebinding is refused as a conflict), so
   * they are safe to cache; only found bindings are cached. The block mark is checked in the store.
   */
  private readonly identities = new Map<string, Identity>();
  /** Identity lookups on their way to the store, by the same key. */
  private readonly pendingIdentities = new Map<string, Promise<Identity | null>>();

  private readonly idRng: Rng;

  constructor(private readonly deps: IssuanceDeps) {
    this.idRng = deps.idRng ?? new Rng(randomBytes(16).toString('hex'));
    deps.logger.info('issuance: risk decider', { decider: deps.decider.name, store: deps.store.backend });
  }

  async createCampaign(def: CampaignDefinition): Promise<StoredCampaign> {
    if (!(await this.deps.store.createCampaign(def))) throw new AppError('CONFLICT', `campaign ${def.campaignId} exists already`, { field: 'campaignId' });
    return { definition: def, status: 'draft' };
  }

  async getCampaign(campaignId: string): Promise<StoredCampaign> {
    const c = await this.deps.store.getCampaign(campaignId);
    if (!c) throw new AppError('NOT_FOUND', 'campaign not found', { field: 'campaignId' });
    return c;
  }

  async publishCampaign(campaignId: string): Promise<{ status: 'published' | 'already_published' }> {
    const c = await this.getCampaign(campaignId);
    const now = this.deps.clock.now();
    const event = toPublishedEvent(c.definition, newId('event', now, this.idRng), toCstIso(now));
    const r = await this.deps.store.publishCampaign(campaignId, JSON.stringify(event));
    if (r === 'not_found') throw new AppError('NOT_FOUND', 'campaign not found', { field: 'campaignId' });
    return { status: r };
  }

  /** Published definitions never change, so they are cached per service instance. */
  private async publishedDefinition(campaignId: string): Promise<CampaignDefinition> {
    const cached = this.published.get(campaignId);
    if (cached) return cached;
    const c = await this.getCampaign(campaignId);
    if (c.status !== 'published') throw new AppError('CONFLICT', 'campaign is not published', { field: 'campaignId' });
    this.published.set(campaignId, c.definition);
    return c.definition;
  }

  async importEligibility(campaignId: string, text: string, format: 'csv' | 'json'): Promise<ImportReport> {
    await this.getCampaign(campaignId);
    const parsed = parseWinners(text, format, this.deps.hmacSecret);
    const now = this.deps.clock.now();
    const occurredAt = toCstIso(now);
    const grants = parsed.winners.map((w) => ({
      ...w,
      // The event id derives from the binding, so a re-import would produce the very same event.
      eventJson: JSON.stringify({ eventId: `evt_elig_${campaignId}_${w.userId}`.slice(0, 128), occurredAt, type: 'eligibility.granted', campaignId, userId: w.userId, idHash: w.idHash, phoneHash: w.phoneHash }),
    }));
    const outcomes = await this.deps.store.grantEligibility(campaignId, grants);
    const rejected = [...parsed.rejected];
    let granted = 0;
    let unchanged = 0;
    outcomes.forEach((o, i) => {
      if (o === 'granted') granted++;
      else if (o === 'unchanged') unchanged++;
      else rejected.push({ line: grants[i]!.line, field: 'userId', reason: 'account is already bound to another person' });
    });
    rejected.sort((a, b) => a.line - b.line);
    this.deps.logger.info('eligibility imported', { campaignId, lines: parsed.lines, granted, unchanged, rejected: rejected.length });
    return { campaignId, lines: parsed.lines, granted, unchanged, rejected };
  }

  async claim(req: ClaimRequest): Promise<ClaimResult> {
    const def = await this.publishedDefinition(req.campaignId);
    const typeKey = `${req.campaignId}\n${req.couponTypeId}`;
    let known = this.typeTerms.get(typeKey);
    if (!known) {
      const info = couponTypeInfo(def, req.couponTypeId);
      if (!info) throw new AppError('NOT_FOUND', 'coupon type not found in this campaign', { field: 'couponTypeId' });
      this.typeTerms.set(typeKey, (known = { info, terms: claimTerms(def, info) }));
    }
    const { info, terms } = known;
    for (let attempt = 0; ; attempt++) {
      const identity = await this.identity(req.campaignId, req.userId, attempt > 0);
      if (!identity) return { kind: 'not_eligible', detail: 'no_eligibility', replayed: false };
      const now = this.deps.clock.now();
      const claimId = newId('claim', now, this.idRng);
      const couponId = newId('coupon', now, this.idRng);
      const event: Claim = {
        eventId: newId('event', now, this.idRng),
        occurredAt: toCstIso(now),
        type: 'claim',
        claimId,
        couponId,
        campaignId: req.campaignId,
        batchId: info.batch.batchId,
        couponTypeId: req.couponTypeId,
        userId: req.userId,
        idHash: identity.idHash,
        phoneHash: identity.phoneHash,
        channel: req.channel,
        ...optional(req, ['deviceId', 'ip', 'lat', 'lon', 'userAgent', 'accountCreatedAt'] as const),
      };
      const risk = await this.decide(event);
      try {
        return await this.deps.store.claim({
          campaignId: req.campaignId,
          couponTypeId: req.couponTypeId,
          batchId: info.batch.batchId,
          terms,
          userId: req.userId,
          idempotencyKey: req.idempotencyKey,
          idHash: identity.idHash,
          nowMs: now,
          claimId,
          couponId,
          eventJson: JSON.stringify(event),
          risk: { decision: risk.decision, reasons: risk.reasons },
        });
      } catch (err) {
        if (err instanceof StaleIdentityError && attempt === 0) continue;
        throw err;
      }
    }
  }

  private async identity(campaignId: string, userId: string, fresh: boolean): Promise<Identity | null> {
    const key = `${campaignId}\n${userId}`;
    if (!fresh) {
      const cached = this.identities.get(key);
      if (cached) return cached;
      // Claims of one account arriving together (one per coupon type at a drop) share the lookup
      // already on its way instead of each paying a Redis round trip of its own. A binding found
      // by that read holds for this claim too (bindings never change; see `identities`). A read
      // that found none, or failed, began before this claim came: this claim reads for itself.
      const pending = this.pendingIdentities.get(key);
      if (pending) {
        const found = await pending.catch(() => null);
        if (found) return found;
      }
    }
    const lookup = this.deps.store.identity(campaignId, userId);
    if (fresh) return this.remember(key, await lookup);
    this.pendingIdentities.set(key, lookup);
    try {
      return this.remember(key, await lookup);
    } finally {
      if (this.pendingIdentities.get(key) === lookup) this.pendingIdentities.delete(key);
    }
  }

  private remember(key: string, found: Identity | null): Identity | null {
    if (found) {
      if (this.identities.size >= IDENTITY_CACHE_MAX) this.identities.delete(this.identities.keys().next().value!);
      this.identities.set(key, found);
    }
    return found;
  }

  async wallet(campaignId: string, userId: string): Promise<WalletCoupon[]> {
    await this.getCampaign(campaignId);
    return this.deps.store.wallet(campaignId, userId);
  }

  async registerMerchant(m: Omit<MerchantRegistered, 'eventId' | 'occurredAt' | 'type'> & { active?: boolean }): Promise<MerchantRecord> {
    const now = this.deps.clock.now();
    const existing = await this.deps.store.getMerchant(m.merchantId);
    const record: MerchantRecord = { merchantId: m.merchantId, name: m.name, category: m.category, district: m.district, active: m.active ?? true, blocked: existing?.blocked ?? false };
    const { active: _a, ...contract } = m;
    const event: MerchantRegistered = { ...contract, eventId: newId('event', now, this.idRng), occurredAt: toCstIso(now), type: 'merchant.registered' };
    await this.deps.store.putMerchant(record, JSON.stringify(event));
    return record;
  }

  async blockMerchant(merchantId: string): Promise<{ merchantId: string; heldOrders: number }> {
    const held = await this.deps.store.blockMerchant(merchantId);
    if (held === null) throw new AppError('NOT_FOUND', 'merchant not found', { field: 'merchantId' });
    this.deps.logger.warn('merchant blocked', { merchantId, heldOrders: held });
    return { merchantId, heldOrders: held };
  }

  async blockUser(userId: string): Promise<void> {
    await this.deps.store.blockUser(userId);
    this.deps.logger.warn('user blocked', { userId });
  }

  async redeem(req: RedeemRequest): Promise<RedeemResult> {
    const def = await this.publishedDefinition(req.campaignId);
    const fingerprint = JSON.stringify([req.campaignId, req.orderId, req.merchantId, req.userId, req.orderFen, req.cardBin, req.couponId ?? 'auto']);
    const owner = await this.deps.store.orderCampaign(req.orderId);
    if (owner !== null) {
      if (owner !== req.campaignId) return this.conflict(req.orderId);
      const prior = await this.deps.store.priorRedemption(owner, req.orderId);
      if (prior) return prior.fingerprint === fingerprint ? prior.result : this.conflict(req.orderId);
    }
    const refuse = (code: RefusalCode): RedeemResult => ({ kind: 'refused', code, reasons: [], replayed: false });
    const merchant = await this.deps.store.getMerchant(req.merchantId);
    if (!merchant) return refuse('MERCHANT_NOT_REGISTERED');
    if (!merchant.active) return refuse('MERCHANT_INACTIVE');
    if (merchant.blocked) return refuse('MERCHANT_BLOCKED');
    if (def.districts && !def.districts.includes(merchant.district)) return refuse('DISTRICT_NOT_ALLOWED');
    if (!acceptedBins(def).some((b) => req.cardBin.startsWith(b))) return refuse('CARD_BIN_NOT_ACCEPTED');

    const now = this.deps.clock.now();
    let candidates: { couponId: string; couponTypeId: string; discountFen: number }[];
    if (req.couponId) {
      const coupon = await this.deps.store.coupon(req.campaignId, req.couponId);
      if (!coupon) return refuse('COUPON_NOT_FOUND');
      if (coupon.userId !== req.userId) return refuse('COUPON_NOT_OWNED');
      const info = couponTypeInfo(def, coupon.couponTypeId)!;
      if (info.type.categories.length && !info.type.categories.includes(merchant.category)) return refuse('CATEGORY_NOT_ALLOWED');
      if (req.orderFen < info.type.thresholdFen) return refuse('THRESHOLD_NOT_MET');
      candidates = [{ couponId: coupon.couponId, couponTypeId: coupon.couponTypeId, discountFen: Math.min(info.type.discountFen, req.orderFen) }];
    } else {
      candidates = (await this.deps.store.wallet(req.campaignId, req.userId))
        .filter((c) => c.status === 'unused')
        .flatMap((c) => {
          const info = couponTypeInfo(def, c.couponTypeId);
          if (!info || now < info.validFromMs || now >= info.validUntilMs) return [];
          if (info.type.categories.length && !info.type.categories.includes(merchant.category)) return [];
          if (req.orderFen < info.type.thresholdFen) return [];
          return [{ couponId: c.couponId, couponTypeId: c.couponTypeId, discountFen: Math.min(info.type.discountFen, req.orderFen), validUntilMs: info.validUntilMs }];
        })
        // Highest discount first; among equals the one that expires first, so nothing is wasted.
        .sort((a, b) => b.discountFen - a.discountFen || a.validUntilMs - b.validUntilMs);
      if (!candidates.length) return refuse('NO_ELIGIBLE_COUPON');
    }

    let last: RedeemResult = refuse('NO_ELIGIBLE_COUPON');
    for (const c of candidates.slice(0, 5)) {
      const redemptionId = newId('redemption', now, this.idRng);
      const event: Redemption = {
        eventId: newId('event', now, this.idRng),
        occurredAt: toCstIso(now),
        type: 'redemption',
        redemptionId,
        couponId: c.couponId,
        campaignId: req.campaignId,
        couponTypeId: c.couponTypeId,
        userId: req.userId,
        merchantId: req.merchantId,
        orderId: req.orderId,
        orderFen: req.orderFen,
        discountFen: c.discountFen,
        paidFen: req.orderFen - c.discountFen,
        cardBin: req.cardBin,
        ...optional(req, ['terminalId', 'cardHash', 'deviceId', 'ip', 'lat', 'lon', 'items'] as const),
      };
      const risk = await this.decide(event);
      last = await this.deps.store.redeem({
        campaignId: req.campaignId,
        couponId: c.couponId,
        userId: req.userId,
        merchantId: req.merchantId,
        orderId: req.orderId,
        fingerprint,
        orderFen: req.orderFen,
        discountFen: c.discountFen,
        nowMs: now,
        day: cstDay(now),
        redemptionId,
        eventJson: JSON.stringify(event),
        risk: { decision: risk.decision, reasons: risk.reasons },
        merchantBlocked: merchant.blocked,
      });
      if (last.kind === 'conflict') return this.conflict(req.orderId);
      // In automatic choice a coupon spent concurrently by another order is skipped for the next best.
      if (!(req.couponId === undefined && last.kind === 'refused' && last.code === 'COUPON_ALREADY_USED')) break;
    }
    if (last.kind === 'redeemed' && last.decision !== 'allow')
      this.deps.logger.warn('redemption flagged', { orderId: req.orderId, merchantId: req.merchantId, decision: last.decision, reasons: last.reasons });
    return last;
  }

  async refund(req: RefundRequest): Promise<RefundResult> {
    const campaignId = await this.deps.store.orderCampaign(req.orderId);
    const entry = campaignId ? await this.deps.store.order(campaignId, req.orderId) : null;
    if (!campaignId || !entry) return { kind: 'refused', code: 'ORDER_NOT_FOUND', replayed: false };
    const now = this.deps.clock.now();
    const event = { eventId: newId('event', now, this.idRng), occurredAt: toCstIso(now), type: 'refund', refundId: req.refundId, orderId: req.orderId, merchantId: req.merchantId, userId: entry.userId, refundFen: req.refundFen };
    const r = await this.deps.store.refund({ campaignId, refundId: req.refundId, orderId: req.orderId, merchantId: req.merchantId, refundFen: req.refundFen, nowMs: now, eventJsonPrefix: JSON.stringify(event).slice(0, -1) });
    if (r.kind === 'conflict') throw new AppError('CONFLICT', 'refundId was used for a different refund', { field: 'refundId' });
    return r;
  }

  async ledger(filter: { merchantId?: string; day?: string; status?: LedgerEntry['status'] }): Promise<LedgerEntry[]> {
    return this.deps.store.ledger(filter);
  }

  async settleHold(orderId: string, action: HoldAction): Promise<HoldResult> {
    const campaignId = await this.deps.store.orderCampaign(orderId);
    if (!campaignId) return { kind: 'not_found' };
    const r = await this.deps.store.settleHold(campaignId, orderId, action);
    if (r.kind !== 'not_found' && r.kind !== 'not_held') this.deps.logger.info('settlement hold settled', { orderId, action, merchantId: r.entry.merchantId });
    return r;
  }

  private conflict(orderId: string): never {
    throw new AppError('CONFLICT', 'orderId was already used by a different request', { field: 'orderId', cause: orderId });
  }

  private async decide(event: Claim | Redemption): Promise<RiskDecision> {
    try {
      return await this.deps.decider.decide(event);
    } catch (err) {
      // Fail closed: nothing is granted or paid out without a risk answer.
      throw unavailable('risk decider', err);
    }
  }
}

function optional<T extends object, K extends keyof T>(src: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (src[k] !== undefined) out[k] = src[k];
  return out;
}
