// Slowly-changing state the rules need, fed from the event stream itself (campaign.published,
// merchant.registered, price.observed, eligibility.granted, redemptions for peer counts), so a
// replay file is self-contained and two replays agree. Held in process: on start an engine rebuilds
// it by reading the stored stream (these events are few next to claims and redemptions).
import type { Category, District, QuanguardEvent } from '../../core/events.ts';
import { grown } from '../../core/typed-arrays.ts';
import { hashOf, IdRing } from './id-ring.ts';
import { LazyMedian } from './median.ts';
import { ModelScoreTable } from './model-scores.ts';

const DAY = 86_400_000;
/** Payers kept per card: enough to tell one household from several. */
const MAX_CARD_PAYERS = 8;

/**
 * Whether two places are within km of each other by the equirectangular distance (plenty for
 * telling homes a kilometre apart): `Math.hypot(x, y) * 111.195 <= km`, a at (aLat, aLon).
 * `Math.sqrt(x * x + y * y)` is a call-free estimate of that hypot within a few units in the last
 * place while the sum stays a normal number, so it decides whenever it is more than a billionth
 * of km away from km; closer (or at an overflow or underflow), hypot itself decides. The same
 * answers as hypot alone, without the variadic builtin's allocation on most pairs.
 */
function withinKm(aLat: number, aLon: number, bLat: number, bLon: number, km: number): boolean {
  const x = (bLon - aLon) * Math.cos(((aLat + bLat) / 2) * (Math.PI / 180));
  const y = bLat - aLat;
  const sq = x * x + y * y;
  if (sq > 1e-290 && sq < 1e290) {
    const d = Math.sqrt(sq) * 111.195;
    if (Math.abs(d - km) > km * 1e-9) return d <= km;
  }
  return Math.hypot(x, y) * 111.195 <= km;
}

interface ShopState {
  /** The merchant's number, its key in the peer medians. */
  no: number;
  redemptions: number;
  /** Price history per SKU (nested: no `merchant>sku` string built per lookup), with its rises. */
  prices: Map<string, PriceHistory> | undefined;
}

type Identity = { idHash: string; phoneHash: string };
/** Per account number, in `places`: latitude, longitude, 1 once a claim place is known, unused. */
const PLACE_STRIDE = 4;

export interface CampaignRef {
  campaignId: string;
  startsAt: number;
  endsAt: number;
  dropAt: Map<string, number>;
  couponTypes: Map<string, { thresholdFen: number; discountFen: number; kind: string }>;
  cardBins: string[] | null;
  geoFence: { lat: number; lon: number; radiusKm: number } | null;
}

export interface MerchantRef {
  merchantId: string;
  category: Category;
  district: District;
  lat: number;
  lon: number;
  registeredAt: number;
  ownerIdHash?: string;
}

interface PriceHistory {
  /** Observations (time, price), oldest first, capped. */
  t: number[];
  p: number[];
  baselineCache: Map<number, number | null>;
  /** The last answer of baselineCache, read without hashing a number key (one campaign at a time). */
  lastStartsAt: number;
  lastBaseline: number | null;
  /**
   * Highest price / baseline seen during a campaign, 0 before any (a rise kept with the history it
   * is measured on: a redemption's item asks for both, one lookup instead of two maps of SKUs).
   */
  rise: number;
}

export interface ReferenceOptions {
  /** The window before a campaign start whose lowest price is the baseline (2020 rules: 7 days). */
  baselineDays?: number;
  maxOrders?: number;
}

export class Reference {
  readonly campaigns = new Map<string, CampaignRef>();
  readonly merchants = new Map<string, MerchantRef>();
  /** The latest model run's scores (models/scheduler.ts publishes them in `npm start`). */
  readonly modelScores = new ModelScoreTable();
  /**
   * Account id → account number, one lookup in a map of every account per event (memory latency,
   * not hashing, dominates it). By number: the identity from the eligibility import, and where it
   * claims from (its first located claim: its home, roughly) in `places`, a few numbers in one
   * typed array instead of two objects per account for the collector to copy and promote.
   */
  private readonly accounts = new Map<string, number>();
  private readonly identities: (Identity | undefined)[] = [];
  private places = new Float64Array(1024 * PLACE_STRIDE);
  /** Accounts granted per ID hash and per phone hash (eligibility import), for shared identities. */
  private readonly accountsById = new Map<string, number>();
  private readonly accountsByPhone = new Map<string, number>();
  /**
   * Card hash → card number; per card number, MAX_CARD_PAYERS slots in `cardPayers` of the
   * accounts that paid with it (the first few with a known place, account number + 1, 0 after the
   * last). Their places are their accounts' (a claim place never changes once known).
   */
  private readonly cards = new Map<string, number>();
  private cardPayers = new Int32Array(1024 * MAX_CARD_PAYERS);
  private readonly skuNames = new Map<string, string>();
  /**
   * Per merchant, its redemption count and price history (and rises) by SKU, in one
   * record: a redemption asks for all three (and the rules again), one lookup instead of three
   * or four, and the last merchant asked for is kept.
   */
  private readonly shops = new Map<string, ShopState>();
  private lastShopId: string | undefined;
  private lastShop: ShopState | undefined;
  /** The last price history asked for (the price rules, then observe, ask for the event's item). */
  private lastHistoryShop: ShopState | undefined;
  private lastHistorySku: string | undefined;
  private lastHistory: PriceHistory | undefined;
  private readonly latestBySku = new Map<string, LazyMedian>();
  /** Redemptions per merchant, by category then district. */
  private readonly redemptionsByGroup = new Map<string, Map<string, LazyMedian>>();
  /**
   * Orders by entry number (the last maxOrders, oldest forgotten first), found by order id in a
   * table that keeps the id as bytes; an entry's time and discount in typed arrays. A Map by order
   * id kept a parsed id string and an entry per redemption for the collector to copy and promote.
   */
  private readonly orders: IdRing;
  private orderT = new Float64Array(0);
  private orderDiscount = new Float64Array(0);
  private readonly baselineMs: number;
  private campaignList: CampaignRef[] = [];
  // One event asks about its user several times (features, linked payers, owner, card homes,
  // then observe): the last user's and the last card's numbers are kept (-1: none yet), and
  // renumbered in place when that account or card is first numbered.
  private lastUser: string | undefined;
  private lastAccount = -1;
  private lastCard: string | undefined;
  private lastCardNo = -1;
  /** Reused by cardPayerHomes: the account numbers of the places, then the homes among them. */
  private readonly placeScratch = new Int32Array(MAX_CARD_PAYERS + 1);
  private readonly homeScratch = new Int32Array(MAX_CARD_PAYERS + 1);

  constructor(opts: ReferenceOptions = {}) {
    this.baselineMs = (opts.baselineDays ?? 7) * DAY;
    this.orders = new IdRing(opts.maxOrders ?? 2_000_000, 'reference: maxOrders');
  }

  /** Folds an event into the reference state. Idempotent for the same event. */
  observe(e: QuanguardEvent, t: number): void {
    switch (e.type) {
      case 'campaign.published': {
        const c: CampaignRef = {
          campaignId: e.campaignId,
          startsAt: Date.parse(e.startsAt),
          endsAt: Date.parse(e.endsAt),
          dropAt: new Map(e.batches.map((b) => [b.batchId, Date.parse(b.dropAt)])),
          couponTypes: new Map(e.batches.flatMap((b) => b.coupons.map((ct) => [ct.couponTypeId, { thresholdFen: ct.thresholdFen, discountFen: ct.discountFen, kind: ct.kind }] as const))),
          cardBins: e.cardBins ?? null,
          geoFence: e.geoFence ?? null,
        };
        this.campaigns.set(c.campaignId, c);
        this.campaignList = [...this.campaigns.values()].sort((a, b) => a.startsAt - b.startsAt);
        return;
      }
      case 'merchant.registered':
        if (!this.merchants.has(e.merchantId))
          this.merchants.set(e.merchantId, { merchantId: e.merchantId, category: e.category, district: e.district, lat: e.lat, lon: e.lon, registeredAt: t, ownerIdHash: e.ownerIdHash });
        return;
      case 'eligibility.granted': {
        // Counted once per account: a winner granted again (another campaign) is not a second account.
        const had = this.identityOf(e.userId);
        if (had?.idHash === e.idHash && had.phoneHash === e.phoneHash) return;
        if (had) {
          this.accountsById.set(had.idHash, (this.accountsById.get(had.idHash) ?? 1) - 1);
          this.accountsByPhone.set(had.phoneHash, (this.accountsByPhone.get(had.phoneHash) ?? 1) - 1);
        }
        this.identities[this.accountNo(e.userId)] = { idHash: e.idHash, phoneHash: e.phoneHash };
        this.accountsById.set(e.idHash, (this.accountsById.get(e.idHash) ?? 0) + 1);
        this.accountsByPhone.set(e.phoneHash, (this.accountsByPhone.get(e.phoneHash) ?? 0) + 1);
        return;
      }
      case 'price.observed':
        if (e.name !== undefined && !this.skuNames.has(e.sku)) this.skuNames.set(e.sku, e.name);
        this.observePrice(e.merchantId, e.sku, e.priceFen, t);
        return;
      case 'claim':
        if (e.lat !== undefined && e.lon !== undefined && !this.hasPlace(this.account(e.userId))) {
          const at = this.accountNo(e.userId) * PLACE_STRIDE, places = this.places;
          places[at] = e.lat;
          places[at + 1] = e.lon;
          places[at + 2] = 1;
        }
        return;
      case 'redemption': {
        const orderHash = hashOf(e.orderId);
        if (this.orders.find(e.orderId, orderHash) >= 0) return;
        if (e.cardHash !== undefined) {
          const a = this.account(e.userId);
          if (this.hasPlace(a)) {
            let c = this.card(e.cardHash);
            if (c < 0) c = this.newCard(e.cardHash);
            const at = c * MAX_CARD_PAYERS, payers = this.cardPayers;
            for (let i = at; i < at + MAX_CARD_PAYERS; i++) {
              if (payers[i] === a + 1) break;
              if (payers[i] === 0) {
                payers[i] = a + 1;
                break;
              }
            }
          }
        }
        this.addOrder(e.orderId, orderHash, t, e.discountFen);
        const shop = this.shop(e.merchantId, true)!;
        const n = ++shop.redemptions;
        const m = this.merchants.get(e.merchantId);
        if (m) this.groupMedian(m).set(shop.no, n);
        if (e.items) for (const it of e.items) this.observePrice(e.merchantId, it.sku, it.unitPriceFen, t);
        return;
      }
      default:
        return;
    }
  }

  /** A merchant's record (made when `create`); the last one asked for is kept. */
  private shop(merchantId: string, create: boolean): ShopState | undefined {
    if (merchantId !== this.lastShopId || (create && this.lastShop === undefined)) {
      let shop = this.shops.get(merchantId);
      if (shop === undefined && create) this.shops.set(merchantId, (shop = { no: this.shops.size, redemptions: 0, prices: undefined }));
      this.lastShopId = merchantId;
      this.lastShop = shop;
    }
    return this.lastShop;
  }

  /** An account's number, -1 when never seen; the last account asked for is kept. */
  private account(userId: string): number {
    if (userId !== this.lastUser) {
      this.lastUser = userId;
      this.lastAccount = this.accounts.get(userId) ?? -1;
    }
    return this.lastAccount;
  }

  /** An account's number, numbered now when new. */
  private accountNo(userId: string): number {
    let a = this.account(userId);
    if (a < 0) {
      a = this.accounts.size;
      this.accounts.set(userId, a);
      this.identities.push(undefined);
      if ((a + 1) * PLACE_STRIDE > this.places.length) this.places = grown(this.places, this.places.length * 2);
      this.lastAccount = a;
    }
    return a;
  }

  private hasPlace(account: number): boolean {
    return account >= 0 && this.places[account * PLACE_STRIDE + 2] === 1;
  }

  /** A card's number, -1 when no payer with a known place used it yet; the last card's kept. */
  private card(cardHash: string): number {
    if (cardHash !== this.lastCard) {
      this.lastCard = cardHash;
      this.lastCardNo = this.cards.get(cardHash) ?? -1;
    }
    return this.lastCardNo;
  }

  private newCard(cardHash: string): number {
    const c = this.cards.size;
    this.cards.set(cardHash, c);
    if ((c + 1) * MAX_CARD_PAYERS > this.cardPayers.length) this.cardPayers = grown(this.cardPayers, this.cardPayers.length * 2);
    this.lastCard = cardHash;
    this.lastCardNo = c;
    return c;
  }

  identityOf(userId: string): { idHash: string; phoneHash: string } | undefined {
    const a = this.account(userId);
    return a < 0 ? undefined : this.identities[a];
  }

  /**
   * Accounts granted under this account's ID hash and under its phone hash in the eligibility
   * import (each at least 1: the account itself); undefined when the account was never granted.
   */
  accountsSharingIdentity(userId: string): { byId: number; byPhone: number } | undefined {
    const id = this.identityOf(userId);
    if (!id) return undefined;
    return { byId: this.accountsById.get(id.idHash) ?? 1, byPhone: this.accountsByPhone.get(id.phoneHash) ?? 1 };
  }

  /**
   * Homes among the accounts that paid with this card, the given payer included: claim places
   * more than `apartKm` from every home counted before start a new one. A family card stays in
   * one home; a card paying for recruits spans several. Undefined when no payer's place is known.
   */
  cardPayerHomes(cardHash: string, userId: string, apartKm: number): number | undefined {
    // The places in order (the payers' accounts, then this payer's own when new).
    const owners = this.placeScratch;
    let n = 0;
    const own = this.account(userId);
    const c = this.card(cardHash);
    let withOwn = this.hasPlace(own);
    if (c >= 0) {
      const payers = this.cardPayers;
      for (let i = c * MAX_CARD_PAYERS, end = i + MAX_CARD_PAYERS; i < end && payers[i] !== 0; i++) {
        const a = payers[i]! - 1;
        if (a === own) withOwn = false;
        owners[n++] = a;
      }
    }
    if (withOwn) owners[n++] = own;
    if (n === 0) return undefined;
    if (n === 1) return 1;
    // A place starts a home when it is more than apartKm from every home before it.
    const homes = this.homeScratch, places = this.places;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const p = owners[i]! * PLACE_STRIDE;
      let near = false;
      for (let k = 0; k < count && !near; k++) {
        const h = homes[k]! * PLACE_STRIDE;
        near = withinKm(places[h]!, places[h + 1]!, places[p]!, places[p + 1]!, apartKm);
      }
      if (!near) homes[count++] = owners[i]!;
    }
    return count;
  }

  /** The campaign running at t, or the last one that started before it. */
  campaignAt(t: number): CampaignRef | undefined {
    let found: CampaignRef | undefined;
    for (const c of this.campaignList) if (c.startsAt <= t) found = c;
    return found;
  }

  skuName(sku: string): string | undefined {
    return this.skuNames.get(sku);
  }

  orderRedemption(orderId: string): { t: number; discountFen: number } | undefined {
    const k = this.orders.find(orderId, hashOf(orderId));
    return k < 0 ? undefined : { t: this.orderT[k]!, discountFen: this.orderDiscount[k]! };
  }

  private addOrder(orderId: string, h: number, t: number, discountFen: number): void {
    const k = this.orders.add(orderId, h);
    if (this.orderT.length < this.orders.length) {
      this.orderT = grown(this.orderT, this.orders.length);
      this.orderDiscount = grown(this.orderDiscount, this.orders.length);
    }
    this.orderT[k] = t;
    this.orderDiscount[k] = discountFen;
  }

  /** A merchant's price history of a SKU, if any. */
  private history(merchantId: string, sku: string): PriceHistory | undefined {
    const shop = this.shop(merchantId, false);
    if (shop === undefined) return undefined;
    if (shop !== this.lastHistoryShop || sku !== this.lastHistorySku) {
      this.lastHistoryShop = shop;
      this.lastHistorySku = sku;
      this.lastHistory = shop.prices?.get(sku);
    }
    return this.lastHistory;
  }

  merchantRedemptionCount(merchantId: string): number {
    return this.shop(merchantId, false)?.redemptions ?? 0;
  }

  /** Median redemptions of merchants in the same category and district (those with any). */
  peerRedemptionMedian(m: MerchantRef): { median: number | null; peers: number } {
    const g = this.groupMedian(m);
    return { median: g.median(), peers: g.size };
  }

  /**
   * Lowest price of a merchant's SKU in force during the baseline days before `startsAt`: the
   * prices observed in that window and the price observed last before it (a price stays in force
   * until a new one is seen). Null when nothing was seen before the start.
   */
  baselinePrice(merchantId: string, sku: string, startsAt: number): number | null {
    const h = this.history(merchantId, sku);
    return h === undefined ? null : this.baselineOf(h, startsAt);
  }

  private baselineOf(h: PriceHistory, startsAt: number): number | null {
    if (h.lastStartsAt === startsAt) return h.lastBaseline;
    const cached = h.baselineCache.get(startsAt);
    if (cached !== undefined) {
      h.lastStartsAt = startsAt;
      h.lastBaseline = cached;
      return cached;
    }
    const from = startsAt - this.baselineMs;
    let min: number | null = null;
    let lastBefore: number | null = null;
    for (let i = 0; i < h.t.length; i++) {
      const t = h.t[i]!;
      if (t < from) lastBefore = h.p[i]!;
      else if (t < startsAt && (min === null || h.p[i]! < min)) min = h.p[i]!;
    }
    if (lastBefore !== null && (min === null || lastBefore < min)) min = lastBefore;
    h.baselineCache.set(startsAt, min);
    h.lastStartsAt = startsAt;
    h.lastBaseline = min;
    return min;
  }

  /** Notes a price shown during a campaign against its baseline (what the breadth of a rise reads). */
  private noteRise(h: PriceHistory, price: number, t: number): void {
    const c = this.campaignAt(t);
    if (!c || t < c.startsAt) return;
    const base = this.baselineOf(h, c.startsAt);
    if (base === null || base <= 0) return;
    const r = price / base;
    if (r > h.rise) h.rise = r;
  }

  hasRaised(merchantId: string, sku: string, minRatio: number): boolean {
    return (this.history(merchantId, sku)?.rise ?? 0) >= minRatio;
  }

  /** How many of a merchant's SKUs have been shown at `minRatio` times their baseline or more. */
  raisedSkuCount(merchantId: string, minRatio: number): number {
    const prices = this.shop(merchantId, false)?.prices;
    if (!prices) return 0;
    let n = 0;
    // A history with no rise yet (0) is not a raised SKU whatever minRatio is.
    for (const h of prices.values()) if (h.rise > 0 && h.rise >= minRatio) n++;
    return n;
  }

  /** Median of the latest price of a SKU across merchants that sell it. */
  peerPrice(sku: string): { median: number | null; peers: number } {
    const m = this.latestBySku.get(sku);
    return m ? { median: m.median(), peers: m.size } : { median: null, peers: 0 };
  }

  private observePrice(merchantId: string, sku: string, price: number, t: number): void {
    const shop = this.shop(merchantId, true)!;
    let h = this.history(merchantId, sku);
    if (!h) {
      h = { t: [], p: [], baselineCache: new Map(), lastStartsAt: NaN, lastBaseline: null, rise: 0 };
      (shop.prices ??= new Map()).set(sku, h);
      this.lastHistory = h;
    }
    // A repeated price is kept twice a day at most: enough for any 7-day baseline window, and the
    // list stays short under a stream of checkout prices.
    const n = h.p.length;
    if (n === 0 || h.p[n - 1] !== price || t - h.t[n - 1]! > DAY / 2) {
      h.t.push(t);
      h.p.push(price);
      if (h.t.length > 64) {
        // Drop from the middle: the oldest entries hold the pre-campaign prices a baseline needs,
        // the newest the current price.
        h.t.splice(16, 1);
        h.p.splice(16, 1);
      }
      if (h.baselineCache.size) h.baselineCache.clear();
      h.lastStartsAt = NaN;
    }
    this.noteRise(h, price, t);
    let peers = this.latestBySku.get(sku);
    if (!peers) this.latestBySku.set(sku, (peers = new LazyMedian()));
    peers.set(shop.no, price);
  }

  private groupMedian(m: MerchantRef): LazyMedian {
    let byDistrict = this.redemptionsByGroup.get(m.category);
    if (!byDistrict) this.redemptionsByGroup.set(m.category, (byDistrict = new Map()));
    let g = byDistrict.get(m.district);
    if (!g) byDistrict.set(m.district, (g = new LazyMedian()));
    return g;
  }
}
