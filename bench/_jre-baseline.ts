// The same decision rules and thresholds as rule set v1, expressed in json-rules-engine (the most
// used rules library on npm): conditions as JSON over facts, derived facts as functions, as one
// would write them there. Features come from the same feature store and reference state, so the
// comparison isolates rule evaluation and scoring.
import { Engine, type RuleProperties } from 'json-rules-engine';
import { cstHour } from '../core/clock.ts';
import type { Claim, QuanguardEvent, Redemption } from '../core/events.ts';
import type { CompiledRuleset } from '../rules/engine/compile.ts';
import { factsOf, featureOps, featureRecord } from '../rules/engine/evaluate.ts';
import { haversineKm } from '../rules/catalog/geo.ts';
import { MemoryFeatureStore } from '../rules/features/memory.ts';
import { Reference } from '../rules/reference/state.ts';
import { shownPrices } from '../rules/catalog/price_gouging/prices.ts';

type Cfg = Record<string, unknown>;

export class JsonRulesBaseline {
  private readonly engine = new Engine([], { allowUndefinedFacts: true });
  private readonly store = new MemoryFeatureStore();
  readonly reference = new Reference();
  private readonly hoardKeywords: string[];

  constructor(private readonly rs: CompiledRuleset) {
    this.hoardKeywords = ((rs.rules.find((r) => r.def.id === 'hoarding.resellable_quantity')?.config ?? { skuKeywords: [] }) as { skuKeywords: string[] }).skuKeywords;
    const cfg = (id: string): Cfg => (rs.rules.find((r) => r.def.id === id)?.config ?? {}) as Cfg;
    const w = (id: string): number => rs.rules.find((r) => r.def.id === id)?.weight ?? 0;
    const ge = (fact: string, value: unknown) => ({ fact, operator: 'greaterThanInclusive', value });
    const rule = (id: string, conditions: RuleProperties['conditions']): RuleProperties => ({ name: id, conditions, event: { type: id, params: { weight: w(id) } } });
    const on = (type: string) => ({ fact: 'type', operator: 'equal', value: type });
    // Operators compile their pattern list once (a RegExp per evaluation was needless work that
    // made the baseline slower than json-rules-engine itself is).
    const regexps = new WeakMap<string[], RegExp>();
    const dotted = new WeakMap<string[], string[]>();
    this.engine.addOperator('matchesAny', (ua: unknown, patterns: unknown) => {
      if (typeof ua !== 'string') return false;
      let re = regexps.get(patterns as string[]);
      if (!re) regexps.set(patterns as string[], (re = new RegExp((patterns as string[]).join('|'), 'i')));
      return re.test(ua);
    });
    this.engine.addOperator('startsWithAny', (ip: unknown, prefixes: unknown) => {
      if (typeof ip !== 'string') return false;
      let whole = dotted.get(prefixes as string[]);
      if (!whole) dotted.set(prefixes as string[], (whole = (prefixes as string[]).map((p) => p + '.')));
      return whole.some((p) => ip.startsWith(p));
    });
    const rules: RuleProperties[] = [
      rule('bot.claim_latency', { all: [on('claim'), ge('latencyMs', 0), { fact: 'latencyMs', operator: 'lessThan', value: cfg('bot.claim_latency').maxLatencyMs }] }),
      ...['bot.claim_burst', 'bot.accounts_per_device', 'bot.accounts_per_ip_range', 'bot.accounts_per_phone', 'subsidy.id_many_accounts', 'subsidy.phone_many_accounts', 'subsidy.device_many_accounts'].map((id) =>
        rule(id, { all: [on('claim'), ge(cfg(id).feature as string, cfg(id).atLeast)] }),
      ),
      rule('bot.new_account', { all: [on('claim'), { fact: 'accountAgeHours', operator: 'lessThan', value: cfg('bot.new_account').maxAgeHours }] }),
      rule('bot.automation_user_agent', { all: [on('claim'), { fact: 'userAgent', operator: 'matchesAny', value: cfg('bot.automation_user_agent').patterns }] }),
      rule('bot.location_outside_city', { all: [on('claim'), { fact: 'kmOutsideFence', operator: 'greaterThan', value: cfg('bot.location_outside_city').marginKm }] }),
      rule('bot.hosting_ip', { all: [on('claim'), { fact: 'ip', operator: 'startsWithAny', value: cfg('bot.hosting_ip').prefixes }] }),
      rule('bot.location_ip_mismatch', { all: [on('claim'), ge('ipLocated', cfg('bot.location_ip_mismatch').minLocated), { fact: 'kmFromIpCentroid', operator: 'greaterThan', value: cfg('bot.location_ip_mismatch').maxKm }] }),
      rule('cash_out.threshold_hugging', { all: [on('redemption'), ge('merchantRedemptions', cfg('cash_out.threshold_hugging').minRedemptions), ge('hugShare', cfg('cash_out.threshold_hugging').minShare)] }),
      ...['cash_out.repeated_amount', 'cash_out.card_many_accounts', 'cash_out.same_pair_repeat', 'subsidy.card_many_accounts'].map((id) => rule(id, { all: [on('redemption'), ge(cfg(id).feature as string, cfg(id).atLeast)] })),
      rule('cash_out.payer_far', { all: [on('redemption'), { fact: 'kmFromMerchant', operator: 'greaterThan', value: cfg('cash_out.payer_far').maxKm }] }),
      rule('cash_out.late_hour', { all: [on('redemption'), ge('cstHour', cfg('cash_out.late_hour').fromHour), { fact: 'cstHour', operator: 'lessThan', value: cfg('cash_out.late_hour').toHour }, { fact: 'category', operator: 'notIn', value: cfg('cash_out.late_hour').exemptCategories }] }),
      rule('cash_out.share_above_peers', { all: [on('redemption'), ge('peerShareRatio', cfg('cash_out.share_above_peers').minRatio)] }),
      rule('hoarding.resellable_quantity', { all: [on('redemption'), ge('resellableUnits', cfg('hoarding.resellable_quantity').minUnits)] }),
      rule('subsidy.split_orders', { all: [on('redemption'), { fact: 'hugsThreshold', operator: 'equal', value: true }, ge(cfg('subsidy.split_orders').pairRedemptions as string, cfg('subsidy.split_orders').atLeast)] }),
      rule('subsidy.merchant_registered_late', { all: [on('redemption'), { fact: 'daysRegisteredBeforeStart', operator: 'lessThan', value: cfg('subsidy.merchant_registered_late').withinDays }] }),
      rule('price.above_baseline', { all: [on('redemption'), ge('raisedSkus', cfg('price.above_baseline').minSkus)] }),
      rule('price.above_peers', { all: [on('redemption'), ge('peerPriceRatio', cfg('price.above_peers').minRatio)] }),
    ];
    for (const r of rules) this.engine.addRule(r);
  }

  async decide(e: QuanguardEvent): Promise<{ decision: string; score: number; reasons: string[] }> {
    const t = Date.parse(e.occurredAt);
    const ref = this.reference;
    if (e.type !== 'claim' && e.type !== 'redemption') {
      ref.observe(e, t);
      return { decision: 'allow', score: 0, reasons: [] };
    }
    const facts = factsOf(e, t, ref);
    const { ops, names } = featureOps(this.rs, e, facts, ref);
    const features = featureRecord(this.rs, names, this.store.applySync(ops, t, { record: true }));
    const derived = e.type === 'claim' ? claimFacts(e, facts.batchDropAt, t, ref, features) : redemptionFacts(e, facts.thresholdFen, t, ref, features, this.hoardKeywords);
    const { events } = await this.engine.run({ ...features, ...derived, type: e.type });
    ref.observe(e, t);
    let score = 0;
    const reasons: string[] = [];
    for (const ev of events) {
      score += (ev.params as { weight: number }).weight;
      reasons.push(ev.type);
    }
    score = Math.min(100, score);
    const th = this.rs.thresholds;
    return { decision: score >= th.block ? 'block' : score >= th.intercept ? 'intercept' : score >= th.review ? 'review' : 'allow', score, reasons };
  }
}

function claimFacts(e: Claim, drop: number | null, t: number, ref: Reference, f: Record<string, number>): Record<string, unknown> {
  const fence = ref.campaigns.get(e.campaignId)?.geoFence;
  const n = f['ip24.located.30d'] ?? 0;
  const located = e.lat !== undefined && e.lon !== undefined;
  return {
    latencyMs: drop === null ? undefined : t - drop,
    accountAgeHours: e.accountCreatedAt ? (t - Date.parse(e.accountCreatedAt)) / 3_600_000 : undefined,
    userAgent: e.userAgent,
    ip: e.ip,
    kmOutsideFence: fence && located ? haversineKm(fence.lat, fence.lon, e.lat!, e.lon!) - fence.radiusKm : undefined,
    ipLocated: n,
    kmFromIpCentroid: located && n > 1 ? haversineKm(((f['ip24.lat.30d'] ?? 0) - e.lat!) / (n - 1), ((f['ip24.lon.30d'] ?? 0) - e.lon!) / (n - 1), e.lat!, e.lon!) : undefined,
  };
}

function redemptionFacts(e: Redemption, threshold: number | null, t: number, ref: Reference, f: Record<string, number>, hoardKeywords: string[]): Record<string, unknown> {
  const m = ref.merchants.get(e.merchantId);
  const c = ref.campaigns.get(e.campaignId);
  const n = f['merchant.redemptions.7d'] ?? 0;
  const peers = m ? ref.peerRedemptionMedian(m) : { median: null, peers: 0 };
  let units = 0;
  for (const it of e.items ?? []) if (hoardKeywords.some((k) => it.sku.includes(k) || (ref.skuName(it.sku) ?? '').includes(k))) units += it.qty;
  let peerRatio = 0;
  for (const p of shownPrices(e)) {
    const { median, peers: np } = ref.peerPrice(p.sku);
    if (median && np >= 4) peerRatio = Math.max(peerRatio, p.priceFen / median);
  }
  let raised = 0;
  if (c && t >= c.startsAt)
    for (const p of shownPrices(e)) {
      const base = ref.baselinePrice(p.merchantId, p.sku, c.startsAt);
      if (base && p.priceFen / base >= 1.08) raised = Math.max(raised, ref.raisedSkuCount(e.merchantId, 1.08) + 1);
    }
  return {
    merchantRedemptions: n,
    hugShare: threshold ? (f['merchant.hugs.7d'] ?? 0) / Math.max(1, n) : 0,
    hugsThreshold: threshold ? e.orderFen >= threshold && e.orderFen - threshold <= threshold * 0.1 : false,
    kmFromMerchant: m && e.lat !== undefined && e.lon !== undefined ? haversineKm(m.lat, m.lon, e.lat, e.lon) : undefined,
    cstHour: cstHour(t),
    category: m?.category ?? 'unknown',
    peerShareRatio: m && peers.median && peers.peers >= 4 && ref.merchantRedemptionCount(e.merchantId) >= 30 ? ref.merchantRedemptionCount(e.merchantId) / peers.median : 0,
    resellableUnits: units,
    daysRegisteredBeforeStart: c && m ? (c.startsAt - m.registeredAt) / 86_400_000 : undefined,
    raisedSkus: raised,
    peerPriceRatio: peerRatio,
  };
}
