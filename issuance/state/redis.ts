// The hot state on Redis. Claims, redemptions, refunds and holds each run as one Lua script (see
// lua/), so a stock, a limit or a coupon is never decided by a check-then-act across round trips.
import type { Redis } from 'ioredis';
import { allCouponTypes, type CampaignDefinition, type CampaignStatus, type StoredCampaign } from '../campaign.ts';
import type { ClaimResult, HoldAction, HoldResult, LedgerEntry, RedeemResult, RefundResult } from '../results.ts';
import { RedisKeys } from './redis-keys.ts';
import { RedisOutbox } from './redis-outbox.ts';
import { loadScripts, type Scripts } from './redis-scripts.ts';
import { StaleIdentityError, type ClaimCommand, type EligibilityGrant, type GrantOutcome, type Identity, type IssuanceStore, type MerchantRecord, type RedeemCommand, type RefundCommand, type WalletCoupon } from './store.ts';

export interface RedisStoreOptions {
  /** A client; `ISSUANCE_REDIS_OPTIONS` (open-store.ts) says how to make one. The store does not own it unless `ownsClient`. */
  redis: Redis;
  prefix?: string;
  ownsClient?: boolean;
}

export class RedisIssuanceStore implements IssuanceStore {
  readonly backend = 'redis' as const;
  readonly outbox: RedisOutbox;
  readonly keys: RedisKeys;
  private readonly redis: Redis;
  private readonly scripts: Scripts;

  constructor(private readonly opts: RedisStoreOptions) {
    this.redis = opts.redis;
    this.keys = new RedisKeys(opts.prefix ?? 'qg:');
    this.scripts = loadScripts(this.redis);
    this.outbox = new RedisOutbox(this.redis, this.keys);
  }

  async createCampaign(def: CampaignDefinition): Promise<boolean> {
    const id = def.campaignId;
    const ok = await this.redis.set(this.keys.definition(id), JSON.stringify(def), 'NX');
    if (ok !== 'OK') return false;
    await this.redis.hset(this.keys.conf(id), 'status', 'draft');
    // A new campaign starts with the global block list; grant.lua marks blocked accounts on import.
    const blocked = await this.redis.smembers(this.keys.blockedUsers);
    if (blocked.length) await this.redis.sadd(this.keys.blocked(id), ...blocked);
    await this.redis.sadd(this.keys.campaigns, id);
    return true;
  }

  async getCampaign(campaignId: string): Promise<StoredCampaign | null> {
    const [def, status] = await Promise.all([this.redis.get(this.keys.definition(campaignId)), this.redis.hget(this.keys.conf(campaignId), 'status')]);
    if (!def || !status) return null;
    return { definition: JSON.parse(def) as CampaignDefinition, status: status as CampaignStatus };
  }

  async listCampaignIds(): Promise<string[]> {
    return this.redis.smembers(this.keys.campaigns);
  }

  async publishCampaign(campaignId: string, eventJson: string): Promise<'published' | 'already_published' | 'not_found'> {
    const stored = await this.getCampaign(campaignId);
    if (!stored) return 'not_found';
    const def = stored.definition;
    const fields: (string | number)[] = ['budget', def.budgetFen, 'lp', def.limits.perPerson, 'lt', def.limits.perPersonPerType, 'lb', def.limits.perPersonPerBatch];
    for (const t of allCouponTypes(def)) {
      const p = `t:${t.type.couponTypeId}`;
      fields.push(`${p}:b`, t.batch.batchId, `${p}:d`, t.type.discountFen, `${p}:cf`, t.claimFromMs, `${p}:cu`, t.claimUntilMs, `${p}:vf`, t.validFromMs, `${p}:vu`, t.validUntilMs);
      fields.push(`stock:${t.type.couponTypeId}`, t.type.quantity);
    }
    return (await this.scripts.publish.send(this.keys.conf(campaignId), this.keys.outbox(campaignId), eventJson, ...fields)) as 'published' | 'already_published' | 'not_found';
  }

  async grantEligibility(campaignId: string, grants: EligibilityGrant[]): Promise<GrantOutcome[]> {
    const out: GrantOutcome[] = [];
    // Chunks keep each script short so other clients are not stalled behind a large import.
    for (let i = 0; i < grants.length; i += 500) {
      const args = grants.slice(i, i + 500).flatMap((g) => [g.userId, `${g.idHash}:${g.phoneHash}`, g.eventJson]);
      out.push(...((await this.scripts.grant.send(this.keys.conf(campaignId), this.keys.outbox(campaignId), this.keys.blocked(campaignId), ...args)) as GrantOutcome[]));
    }
    return out;
  }

  async identity(campaignId: string, userId: string): Promise<Identity | null> {
    const v = await this.redis.hget(this.keys.conf(campaignId), `e:${userId}`);
    if (!v) return null;
    // "idHash:phoneHash", with ":B" appended while the account is blocked.
    const [idHash = '', phoneHash = ''] = v.split(':');
    return { idHash, phoneHash };
  }

  async claim(cmd: ClaimCommand): Promise<ClaimResult> {
    const k = this.keys;
    const id = cmd.campaignId;
    const t = cmd.terms;
    // One array, handed to EVALSHA as it is (see LoadedScript).
    const args = [
      3,
      k.conf(id),
      k.wallet(id, cmd.userId),
      k.outbox(id),
      cmd.couponTypeId,
      cmd.userId,
      cmd.idHash,
      cmd.nowMs,
      cmd.risk.decision,
      cmd.risk.reasons.join(','),
      cmd.couponId,
      cmd.claimId,
      cmd.eventJson,
      cmd.idempotencyKey,
      cmd.batchId,
      t.discountFen,
      t.claimFromMs,
      t.claimUntilMs,
      t.limits.perPerson,
      t.limits.perPersonPerType,
      t.limits.perPersonPerBatch,
    ];
    const r = (await this.scripts.claim.run(args)) as string[];
    return toClaimResult(r, cmd);
  }

  async wallet(campaignId: string, userId: string): Promise<WalletCoupon[]> {
    const h = await this.redis.hgetall(this.keys.wallet(campaignId, userId));
    const out: WalletCoupon[] = [];
    for (const [field, value] of Object.entries(h)) {
      out.push(toWalletCoupon(campaignId, field, value));
    }
    return out.sort((a, b) => a.claimedAtMs - b.claimedAtMs || a.couponId.localeCompare(b.couponId));
  }

  async inventory(campaignId: string): Promise<{ stock: Record<string, number>; budgetFen: number } | null> {
    const c = await this.getCampaign(campaignId);
    if (!c || c.status !== 'published') return null;
    const types = allCouponTypes(c.definition).map((t) => t.type.couponTypeId);
    const values = await this.redis.hmget(this.keys.conf(campaignId), 'budget', ...types.map((t) => `stock:${t}`));
    const stock: Record<string, number> = {};
    types.forEach((t, i) => (stock[t] = Number(values[i + 1])));
    return { stock, budgetFen: Number(values[0]) };
  }

  async putMerchant(m: MerchantRecord, eventJson: string): Promise<void> {
    const isNew = await this.redis.hsetnx(this.keys.merchants, m.merchantId, JSON.stringify(m));
    if (isNew) await this.redis.xadd(this.keys.globalOutbox, '*', 'e', eventJson);
    else await this.redis.hset(this.keys.merchants, m.merchantId, JSON.stringify(m));
  }

  async getMerchant(merchantId: string): Promise<MerchantRecord | null> {
    const v = await this.redis.hget(this.keys.merchants, merchantId);
    return v ? (JSON.parse(v) as MerchantRecord) : null;
  }

  async blockMerchant(merchantId: string): Promise<number | null> {
    const m = await this.getMerchant(merchantId);
    if (!m) return null;
    await this.redis.hset(this.keys.merchants, merchantId, JSON.stringify({ ...m, blocked: true }));
    let held = 0;
    for (const id of await this.listCampaignIds()) {
      // Two passes: an order redeemed between reading the member list and the first script is
      // missing from it, but once the first script has marked the merchant blocked in this
      // campaign redeem.lua refuses, so the second list is complete.
      for (let pass = 0; pass < 2; pass++) {
        const orderKeys = (await this.redis.smembers(this.keys.merchantOrders(id, merchantId))).map((o) => this.keys.order(id, o));
        const r = (await this.scripts.hold.send(1 + orderKeys.length, this.keys.conf(id), ...orderKeys, 'hold_merchant', merchantId)) as string[];
        held += Number(r[1]);
      }
    }
    return held;
  }

  async blockUser(userId: string): Promise<void> {
    await this.redis.sadd(this.keys.blockedUsers, userId);
    for (const id of await this.listCampaignIds()) await this.scripts.block.send(this.keys.conf(id), this.keys.blocked(id), userId);
  }

  async orderCampaign(orderId: string): Promise<string | null> {
    return this.redis.hget(this.keys.orderIndex, orderId);
  }

  async priorRedemption(campaignId: string, orderId: string): Promise<{ fingerprint: string; result: Exclude<RedeemResult, { kind: 'conflict' }> } | null> {
    const [fp, r] = await this.redis.hmget(this.keys.order(campaignId, orderId), 'fp', 'r');
    if (!fp || !r) return null;
    return { fingerprint: fp, result: { ...(JSON.parse(r) as Exclude<RedeemResult, { kind: 'conflict' }>), replayed: true } };
  }

  async order(campaignId: string, orderId: string): Promise<LedgerEntry | null> {
    const h = await this.redis.hgetall(this.keys.order(campaignId, orderId));
    return h.kind === 'redeemed' ? toLedgerEntry(campaignId, orderId, h) : null;
  }

  async coupon(campaignId: string, couponId: string): Promise<(WalletCoupon & { userId: string }) | null> {
    const userId = await this.redis.hget(this.keys.conf(campaignId), `o:${couponId}`);
    if (!userId) return null;
    const v = await this.redis.hget(this.keys.wallet(campaignId, userId), couponId);
    return v ? { ...toWalletCoupon(campaignId, couponId, v), userId } : null;
  }

  async redeem(cmd: RedeemCommand): Promise<RedeemResult> {
    // The order index is global (outside any campaign slot): the first campaign to see an order id
    // keeps it, so one order can never take coupons from two campaigns.
    await this.redis.hsetnx(this.keys.orderIndex, cmd.orderId, cmd.campaignId);
    const owner = await this.redis.hget(this.keys.orderIndex, cmd.orderId);
    if (owner !== cmd.campaignId) return { kind: 'conflict', orderId: cmd.orderId };
    const paidFen = cmd.orderFen - cmd.discountFen;
    const settlement = cmd.risk.decision === 'intercept' || cmd.merchantBlocked ? 'held' : 'owed';
    const stored: RedeemResult =
      cmd.risk.decision === 'block'
        ? { kind: 'refused', code: 'RISK_BLOCKED', reasons: cmd.risk.reasons, replayed: false }
        : {
            kind: 'redeemed',
            redemptionId: cmd.redemptionId,
            orderId: cmd.orderId,
            couponId: cmd.couponId,
            campaignId: cmd.campaignId,
            orderFen: cmd.orderFen,
            discountFen: cmd.discountFen,
            paidFen,
            decision: cmd.risk.decision,
            settlement,
            reasons: cmd.risk.reasons,
            replayed: false,
          };
    const k = this.keys;
    const id = cmd.campaignId;
    const r = (await this.scripts.redeem.send(
      k.conf(id),
      k.order(id, cmd.orderId),
      k.wallet(id, cmd.userId),
      k.orders(id),
      k.merchantOrders(id, cmd.merchantId),
      k.outbox(id),
      '',
      cmd.orderId,
      cmd.couponId,
      cmd.userId,
      cmd.merchantId,
      cmd.fingerprint,
      cmd.nowMs,
      cmd.risk.decision,
      JSON.stringify(stored),
      cmd.eventJson,
      settlement,
      cmd.day,
      cmd.redemptionId,
      cmd.orderFen,
      cmd.discountFen,
      paidFen,
    )) as string[];
    switch (r[0]) {
      case 'stored':
        return stored;
      case 'replay':
        return { ...(JSON.parse(r[1]!) as Exclude<RedeemResult, { kind: 'conflict' }>), replayed: true };
      case 'conflict':
        return { kind: 'conflict', orderId: cmd.orderId };
      default:
        return { kind: 'refused', code: r[1] as Extract<RedeemResult, { kind: 'refused' }>['code'], reasons: [], replayed: false };
    }
  }

  async refund(cmd: RefundCommand): Promise<RefundResult> {
    const stored = await this.getCampaign(cmd.campaignId);
    if (!stored) return { kind: 'refused', code: 'ORDER_NOT_FOUND', replayed: false };
    const k = this.keys;
    const id = cmd.campaignId;
    // The wallet key depends on the order's customer; an order's customer never changes.
    const userId = (await this.redis.hget(k.order(id, cmd.orderId), 'u')) ?? '';
    const r = (await this.scripts.refund.send(
      k.conf(id),
      k.refund(id, cmd.refundId),
      k.order(id, cmd.orderId),
      k.outbox(id),
      k.wallet(id, userId),
      '',
      cmd.refundId,
      cmd.orderId,
      cmd.merchantId,
      cmd.refundFen,
      cmd.nowMs,
      cmd.eventJsonPrefix,
      `${cmd.orderId}|${cmd.refundFen}`,
      stored.definition.refundPolicy,
    )) as string[];
    if (r[0] === 'conflict') return { kind: 'conflict', refundId: cmd.refundId };
    if (r[0] === 'refused') return { kind: 'refused', code: r[1] as Extract<RefundResult, { kind: 'refused' }>['code'], replayed: false };
    const [full, returned, after] = r[1]!.split('|');
    return { kind: 'refunded', refundId: cmd.refundId, orderId: cmd.orderId, refundFen: cmd.refundFen, full: full === '1', couponReturned: returned === '1', subsidyFen: Number(after), replayed: r[0] === 'replay' };
  }

  async ledger(filter: { merchantId?: string; day?: string; status?: LedgerEntry['status'] }): Promise<LedgerEntry[]> {
    const out: LedgerEntry[] = [];
    for (const id of await this.listCampaignIds()) {
      const orderIds = await this.redis.smembers(filter.merchantId ? this.keys.merchantOrders(id, filter.merchantId) : this.keys.orders(id));
      const rows = await Promise.all(orderIds.map((o) => this.redis.hgetall(this.keys.order(id, o))));
      rows.forEach((h, i) => {
        const e = toLedgerEntry(id, orderIds[i]!, h);
        if (filter.day && e.day !== filter.day) return;
        if (filter.status && e.status !== filter.status) return;
        out.push(e);
      });
    }
    return out;
  }

  async settleHold(campaignId: string, orderId: string, action: HoldAction): Promise<HoldResult> {
    const r = (await this.scripts.hold.send(2, this.keys.conf(campaignId), this.keys.order(campaignId, orderId), action)) as string[];
    if (r[0] === 'not_found') return { kind: 'not_found' };
    if (r[0] === 'not_held') return { kind: 'not_held', status: r[1] as LedgerEntry['status'] };
    const entry = toLedgerEntry(campaignId, orderId, await this.redis.hgetall(this.keys.order(campaignId, orderId)));
    return { kind: r[0] as 'released' | 'clawed_back', entry };
  }

  async close(): Promise<void> {
    if (this.opts.ownsClient) await this.redis.quit();
  }
}

/** Wallet value: couponTypeId|batchId|status|claimedAtMs|idHash. */
function toWalletCoupon(campaignId: string, couponId: string, value: string): WalletCoupon {
  const [couponTypeId = '', batchId = '', status, at] = value.split('|');
  return { couponId, campaignId, batchId, couponTypeId, status: status as WalletCoupon['status'], claimedAtMs: Number(at) };
}

function toClaimResult(r: string[], cmd: ClaimCommand): ClaimResult {
  const [kind, a = '', b = '', c = ''] = r;
  switch (kind) {
    case 'granted':
      return { kind, couponId: a, claimId: b, batchId: c, campaignId: cmd.campaignId, couponTypeId: cmd.couponTypeId, replayed: false };
    case 'replay': {
      const [couponId = '', claimId = '', batchId = ''] = a.split('|');
      return { kind: 'granted', couponId, claimId, batchId, campaignId: cmd.campaignId, couponTypeId: cmd.couponTypeId, replayed: true };
    }
    case 'blocked':
      return { kind, detail: a as 'user_blocked' | 'risk', reasons: b.split(',').filter(Boolean), replayed: false };
    case 'stale_identity':
      throw new StaleIdentityError();
    case 'sold_out':
    case 'limit_reached':
    case 'not_eligible':
    case 'not_open':
    case 'duplicate':
      return { kind, detail: a, replayed: false } as ClaimResult;
    default:
      throw new Error(`redis store: unexpected claim script answer ${String(kind)}`);
  }
}

function toLedgerEntry(campaignId: string, orderId: string, h: Record<string, string>): LedgerEntry {
  return {
    campaignId,
    orderId,
    merchantId: h.m ?? '',
    userId: h.u ?? '',
    day: h.day ?? '',
    couponId: h.cpn ?? '',
    redemptionId: h.rid ?? '',
    orderFen: Number(h.order),
    discountFen: Number(h.disc),
    paidFen: Number(h.paid),
    refundedFen: Number(h.refunded),
    subsidyFen: Number(h.sub),
    status: h.st as LedgerEntry['status'],
    decision: h.dec as LedgerEntry['decision'],
  };
}
