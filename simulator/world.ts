// The simulated city: merchants, accounts and the primitive acts (register, grant, claim, redeem,
// refund) every scenario is written in. Each act emits exactly one contract event.
import type { Category, District, EventType } from '../core/events.ts';
import { ID_PREFIXES } from '../core/ids.ts';
import { simId } from './fastid.ts';
import type { Rng } from '../core/rng.ts';
import { DAY_MS, HOUR_MS, type CampaignPlan, type PlannedBatch, type PlannedCoupon } from './campaign.ts';
import { CATALOG, type CatalogItem } from './catalog.ts';
import { distanceKm } from './geo.ts';
import type { Card, IdentityFactory } from './identity.ts';
import type { LabelBook } from './labels.ts';
import { DISCARD, type EventSink } from './sink.ts';

export type Channel = 'alipay' | 'unionpay' | 'wechat' | 'app';

export interface MerchantSku {
  sku: string;
  name: string;
  baseFen: number;
  /** What the till charges during the campaign. */
  chargedFen: number;
  /** What the published menu shows during the campaign (a subtle gouger keeps it unchanged). */
  menuFen: number;
  resellable: boolean;
}

export interface Merchant {
  merchantId: string;
  name: string;
  category: Category;
  district: District;
  lat: number;
  lon: number;
  registeredMs: number;
  skus: MerchantSku[];
  terminals: string[];
  ownerIdHash: string;
  settlementAccountHash: string;
  /** Honest customers pick it from the neighbourhood index. */
  listed: boolean;
  /** `<merchantId>","orderId":"ord_` of its redemptions, made at the first one. */
  json?: Uint8Array;
}

export interface Account {
  userId: string;
  idHash: string;
  phoneHash: string;
  deviceId: string;
  ip: string;
  userAgent: string;
  channel: Channel;
  lat: number;
  lon: number;
  createdMs: number;
  cards: Card[];
  json?: AccountJson;
}

/** Claim fragments of an account as bytes (see `cached`). */
export interface AccountJson {
  uaJson: string;
  /** userId to the opening quote of deviceId. */
  who: Uint8Array;
  /** `who`, the account's own device and `","ip":"`: a claim from the usual phone. */
  whoDevice: Uint8Array;
  /** `"userId":"…","merchantId":"` of a redemption. */
  payer: Uint8Array;
  /** `"deviceId":"…","ip":"` of a redemption from the usual phone. */
  device: Uint8Array;
  /** lat to the end of the claim: the account's usual place, user agent, channel, creation time. */
  claimTail: Uint8Array;
  /** Where `,"channel":` starts in `claimTail` (a claim from elsewhere keeps the rest). */
  channelAt: number;
}

export interface Issued {
  couponId: string;
  coupon: PlannedCoupon;
  batch: PlannedBatch;
  claimMs: number;
}

/** Per-claim overrides: where and how the claim was made when it is not the account's usual. */
export interface ClaimVia {
  deviceId?: string;
  ip?: string;
  lat?: number;
  lon?: number;
  userAgent?: string;
}

export interface Order {
  orderFen: number;
  items?: { sku: string; qty: number; unitPriceFen: number }[];
}

export interface PayVia {
  card?: Card;
  terminalId?: string;
  deviceId?: string;
  ip?: string;
  lat?: number;
  lon?: number;
}

const GRID_DEG = 0.05;

/** Where a world's acts go: a shard's `EventSink`, or nowhere (`DISCARD`) for a copy of the city
 * that only serves as the stage for another shard. */
export type Emitter = Pick<EventSink, 'emit' | 'emitRaw' | 'begin' | 'ascii' | 'bytes' | 'int' | 'num' | 'id' | 'position' | 'repeat' | 'text' | 'end'>;

export { DISCARD };

export class World {
  readonly merchants: Merchant[] = [];
  readonly claimsPerType = new Map<string, number>();
  private grid = new Map<Category, CellIndex>();
  private byCategory = new Map<Category, Merchant[]>();
  private readonly skuListCache = new WeakMap<Merchant, { of: MerchantSku[]; count: number; ordinary: MerchantSku[]; resellable: MerchantSku[] }>();
  private readonly redeemJsonCache = new Map<PlannedCoupon, Uint8Array>();
  private readonly couponJsonCache = new Map<PlannedCoupon, { batch: PlannedBatch; json: Uint8Array }>();
  private readonly skuJsonCache = new Map<string, Uint8Array>();
  accounts = 0;

  constructor(
    readonly rng: Rng,
    readonly idRng: Rng,
    readonly sink: Emitter,
    readonly plan: CampaignPlan,
    readonly identities: IdentityFactory,
    readonly labels: LabelBook,
    readonly mobileIps: string[],
  ) {}

  /**
   * The same city (plan, shops, their indexes, mobile exits) acted in by another shard: its own
   * random streams, sink, people and labels. The shops are shared, so a shard that changes them
   * (adds a shell, moves a price) must not use a view that other shards use.
   */
  forShard(rng: Rng, idRng: Rng, sink: Emitter, identities: IdentityFactory, labels: LabelBook): World {
    const w = new World(rng, idRng, sink, this.plan, identities, labels, this.mobileIps);
    w.merchants.push(...this.merchants);
    w.grid = this.grid;
    w.byCategory = this.byCategory;
    return w;
  }

  // ---- merchants ----

  /** Picks a SKU list from the category catalogue; prices vary a little from shop to shop. */
  stockSkus(category: Category, opts: { resellable: boolean; count?: number }): MerchantSku[] {
    const rng = this.rng;
    const pool = CATALOG[category].filter((i) => opts.resellable || !i.resellable);
    const ordinary = pool.filter((i) => !i.resellable);
    const count = Math.min(ordinary.length, opts.count ?? rng.int(5, 9));
    const chosen: CatalogItem[] = rng.shuffle([...ordinary]).slice(0, count);
    if (opts.resellable) chosen.push(...pool.filter((i) => i.resellable));
    return chosen.map((i) => {
      const jitter = i.resellable ? 1 : rng.logNormal(1, 0.12);
      const baseFen = roundPrice(i.priceFen * jitter, category);
      return { sku: `sku_${i.code}`, name: i.name, baseFen, chargedFen: baseFen, menuFen: baseFen, resellable: !!i.resellable };
    });
  }

  addMerchant(m: Merchant): Merchant {
    this.merchants.push(m);
    const body = {
      merchantId: m.merchantId,
      name: m.name,
      category: m.category,
      district: m.district,
      lat: m.lat,
      lon: m.lon,
      ownerIdHash: m.ownerIdHash,
      settlementAccountHash: m.settlementAccountHash,
      terminalIds: m.terminals,
    };
    this.sink.emit(m.registeredMs, 'merchant.registered', body);
    if (m.listed) this.index(m);
    return m;
  }

  private index(m: Merchant): void {
    let index = this.grid.get(m.category);
    if (!index) this.grid.set(m.category, (index = { cells: new Map(), windows: RADII.map(() => new Map()) }));
    const key = cellKey(Math.floor(m.lat / GRID_DEG), Math.floor(m.lon / GRID_DEG));
    let list = index.cells.get(key);
    if (!list) index.cells.set(key, (list = []));
    list.push(m);
    for (const w of index.windows) w.clear();
    let all = this.byCategory.get(m.category);
    if (!all) this.byCategory.set(m.category, (all = []));
    all.push(m);
  }

  /** A shop of one of `categories` near (lat, lon): people mostly go to the nearest few. */
  nearbyMerchant(lat: number, lon: number, categories: readonly Category[], filter?: (m: Merchant) => boolean): Merchant | undefined {
    const rng = this.rng;
    const order = rng.shuffle([...categories]);
    for (const category of order) {
      const index = this.grid.get(category);
      if (!index) continue;
      const cx = Math.floor(lat / GRID_DEG), cy = Math.floor(lon / GRID_DEG);
      for (let r = 0; r < RADII.length; r++) {
        // The shops of the window around the cell, cell by cell in a fixed order, made once per
        // window and kept (honest shoppers, no filter): sampling from it draws what sampling
        // across the cell lists drew, without gathering them per purchase.
        const shops = filter ? windowOf(index.cells, cx, cy, RADII[r]!, filter) : (index.windows[r]!.get(cellKey(cx, cy)) ?? cacheWindow(index, r, cx, cy));
        const total = shops.length;
        if (total === 0) continue;
        let best = shops[Math.floor(rng.next() * total)]!;
        let bestKm = distanceKm(lat, lon, best.lat, best.lon);
        for (let i = 0; i < 4 && rng.bool(0.7); i++) {
          const c = shops[Math.floor(rng.next() * total)]!;
          const km = distanceKm(lat, lon, c.lat, c.lon);
          if (km < bestKm) {
            best = c;
            bestKm = km;
          }
        }
        return best;
      }
      const all = (this.byCategory.get(category) ?? []).filter((m) => !filter || filter(m));
      if (all.length) return rng.pick(all);
    }
    return undefined;
  }

  anyMerchant(categories: readonly Category[], filter?: (m: Merchant) => boolean): Merchant | undefined {
    for (const category of this.rng.shuffle([...categories])) {
      // No copy of the category's shops without a filter: the same pick from the same list.
      const shops = this.byCategory.get(category) ?? [];
      const all = filter ? shops.filter(filter) : shops;
      if (all.length) return this.rng.pick(all);
    }
    return undefined;
  }

  // ---- people ----

  newAccount(a: Omit<Account, 'userId'>, userId?: string): Account {
    this.accounts++;
    // Spelled out, not spread, and with `json` from the start: every account has one shape.
    return {
      userId: userId ?? simId('user', a.createdMs, this.idRng),
      idHash: a.idHash,
      phoneHash: a.phoneHash,
      deviceId: a.deviceId,
      ip: a.ip,
      userAgent: a.userAgent,
      channel: a.channel,
      lat: a.lat,
      lon: a.lon,
      createdMs: a.createdMs,
      cards: a.cards,
      json: undefined,
    };
  }

  grant(a: Account, atMs: number, idHash = a.idHash): void {
    const s = this.sink;
    s.begin(atMs, 'eligibility.granted', 512);
    s.ascii('"campaignId":"');
    s.ascii(this.plan.campaignId);
    s.ascii('","userId":"');
    s.ascii(a.userId);
    s.ascii('","idHash":"');
    s.ascii(idHash);
    s.ascii('","phoneHash":"');
    s.ascii(a.phoneHash);
    s.ascii('"}');
    s.end();
  }

  claim(a: Account, batch: PlannedBatch, coupon: PlannedCoupon, atMs: number, via: ClaimVia = {}): Issued {
    this.claimsPerType.set(coupon.couponTypeId, (this.claimsPerType.get(coupon.couponTypeId) ?? 0) + 1);
    const c = cached(a);
    // Written into the sink from bytes cached per account and per coupon type (a few large
    // copies; a character loop over a string cost ~3 ns a byte): claims are the bulk of the file.
    // The coupon shares the claim's time and random part under its own prefix (one draw per
    // claim; ids stay unique and typed).
    const s = this.sink;
    const moved = via.lat !== undefined || via.lon !== undefined || via.userAgent !== undefined;
    s.begin(atMs, 'claim', CLAIM_RESERVE + (moved ? 6 * (via.userAgent?.length ?? 0) + 64 : 0) + c.claimTail.length + c.whoDevice.length);
    s.bytes(CLAIM_ID);
    s.id(CLAIM_PREFIX, atMs, this.idRng);
    const random = s.position - 22;
    s.bytes(COUPON_ID);
    const couponAt = s.position;
    s.repeat(random, 22);
    const couponId = s.text(couponAt - 4, s.position);
    s.bytes(QUOTE_COMMA);
    s.bytes(this.couponJson(batch, coupon));
    if (via.deviceId === undefined) s.bytes(c.whoDevice);
    else {
      s.bytes(c.who);
      s.ascii(via.deviceId);
      s.bytes(IP);
    }
    s.ascii(via.ip ?? a.ip);
    if (!moved) s.bytes(c.claimTail);
    else {
      s.bytes(QUOTE);
      s.ascii(',"lat":');
      s.num(via.lat ?? a.lat);
      s.ascii(',"lon":');
      s.num(via.lon ?? a.lon);
      s.ascii(',"userAgent":');
      s.ascii(via.userAgent === undefined ? c.uaJson : JSON.stringify(via.userAgent));
      s.bytes(c.claimTail.subarray(c.channelAt));
    }
    s.end();
    return { couponId, coupon, batch, claimMs: atMs };
  }

  /** campaignId, batchId and couponTypeId of a claim, with the trailing comma. */
  private couponJson(batch: PlannedBatch, coupon: PlannedCoupon): Uint8Array {
    const hit = this.couponJsonCache.get(coupon);
    if (hit?.batch === batch) return hit.json;
    const json = ascii(`"campaignId":"${this.plan.campaignId}","batchId":"${batch.batchId}","couponTypeId":"${coupon.couponTypeId}",`);
    if (!hit) this.couponJsonCache.set(coupon, { batch, json });
    return json;
  }

  /** campaignId and couponTypeId of a redemption, with the trailing comma. */
  private redeemCouponJson(coupon: PlannedCoupon): Uint8Array {
    let json = this.redeemJsonCache.get(coupon);
    if (json === undefined) {
      json = ascii(`"campaignId":"${this.plan.campaignId}","couponTypeId":"${coupon.couponTypeId}",`);
      this.redeemJsonCache.set(coupon, json);
    }
    return json;
  }

  /** Emits the redemption; returns the order id and what was paid, for refunds. */
  redeem(a: Account, issued: Issued, m: Merchant, atMs: number, order: Order, via: PayVia = {}): { orderId: string; paidFen: number } {
    const rng = this.rng;
    const discountFen = Math.min(issued.coupon.discountFen, order.orderFen);
    const s = this.sink;
    const items = order.items;
    const c = cached(a);
    // The random draws keep their order: the id, the card, the place, the terminal, the IP.
    s.begin(atMs, 'redemption', REDEMPTION_RESERVE + (items ? items.length * 96 : 0));
    s.bytes(REDEMPTION_ID);
    s.id(REDEMPTION_PREFIX, atMs, this.idRng);
    const random = s.position - 22;
    const card = via.card ?? (a.cards.length > 1 && rng.bool(0.15) ? a.cards[1]! : a.cards[0]!);
    const here = via.lat !== undefined ? { lat: via.lat, lon: via.lon } : rng.bool(0.6) ? nearPoint(rng, m.lat, m.lon) : undefined;
    s.bytes(COUPON_ID_NO_PREFIX);
    s.ascii(issued.couponId);
    s.bytes(QUOTE_COMMA);
    s.bytes(this.redeemCouponJson(issued.coupon));
    s.bytes(c.payer);
    s.bytes((m.json ??= ascii(`${m.merchantId}","orderId":"ord_`)));
    const orderAt = s.position;
    s.repeat(random, 22);
    const orderId = s.text(orderAt - 4, s.position);
    s.bytes(ORDER_FEN);
    s.int(order.orderFen);
    s.bytes(DISCOUNT_FEN);
    s.int(discountFen);
    s.bytes(PAID_FEN);
    s.int(order.orderFen - discountFen);
    s.bytes(TERMINAL_ID);
    s.ascii(via.terminalId ?? rng.pick(m.terminals));
    s.bytes(QUOTE_COMMA);
    s.bytes((card.json ??= ascii(`"cardBin":"${card.bin}","cardHash":"${card.hash}",`)));
    if (via.deviceId === undefined) s.bytes(c.device);
    else {
      s.bytes(DEVICE_ID);
      s.ascii(via.deviceId);
      s.bytes(IP);
    }
    s.ascii(via.ip ?? rng.pick(this.mobileIps));
    s.bytes(QUOTE);
    if (here) {
      s.bytes(LAT);
      s.num(here.lat!);
      s.bytes(LON);
      s.num(here.lon!);
    }
    if (items) {
      s.bytes(ITEMS);
      for (let i = 0; i < items.length; i++) {
        const it = items[i]!;
        if (i) s.bytes(COMMA);
        s.bytes(this.skuJson(it.sku));
        s.int(it.qty);
        s.bytes(UNIT_PRICE);
        s.int(it.unitPriceFen);
        s.bytes(CLOSE_BRACE);
      }
      s.bytes(CLOSE_BRACKET);
    }
    s.bytes(CLOSE_BRACE);
    s.end();
    return { orderId, paidFen: order.orderFen - discountFen };
  }

  /** `{"sku":"…","qty":` of an item line. */
  private skuJson(sku: string): Uint8Array {
    let json = this.skuJsonCache.get(sku);
    if (json === undefined) this.skuJsonCache.set(sku, (json = ascii(`{"sku":"${sku}","qty":`)));
    return json;
  }

  refund(a: Account, m: Merchant, orderId: string, atMs: number, refundFen: number, couponReturned: boolean): void {
    this.sink.emit(atMs, 'refund', { refundId: simId('refund', atMs, this.idRng), orderId, merchantId: m.merchantId, userId: a.userId, refundFen, couponReturned });
  }

  // ---- orders ----

  /** Fills a basket from the shop's ordinary SKUs until it reaches `targetFen`. */
  basket(m: Merchant, targetFen: number): Required<Order> {
    const rng = this.rng;
    const ordinary = this.skuLists(m).ordinary;
    const pool = ordinary.length ? ordinary : m.skus;
    // Quantities by first pick, in pick order (the order the items are listed): a basket holds a
    // handful of lines, so a scan beats a Map per purchase.
    const picked: MerchantSku[] = [];
    const qty: number[] = [];
    let total = 0;
    for (let guard = 0; total < targetFen && guard < 40; guard++) {
      const s = rng.pick(pool);
      const q = rng.bool(0.2) ? 2 : 1;
      const at = picked.indexOf(s);
      if (at < 0) {
        picked.push(s);
        qty.push(q);
      } else qty[at]! += q;
      total += s.chargedFen * q;
    }
    if (total === 0) {
      picked.push(pool[0]!);
      qty.push(1);
      total = pool[0]!.chargedFen;
    }
    const items = picked.map((s, i) => ({ sku: s.sku, qty: qty[i]!, unitPriceFen: s.chargedFen }));
    return { orderFen: total, items };
  }

  /** The shop's ordinary and resellable SKUs; which SKU is resellable never changes, prices do. */
  skuLists(m: Merchant): { ordinary: MerchantSku[]; resellable: MerchantSku[] } {
    let lists = this.skuListCache.get(m);
    if (!lists || lists.of !== m.skus || lists.count !== m.skus.length) {
      lists = { of: m.skus, count: m.skus.length, ordinary: m.skus.filter((s) => !s.resellable), resellable: m.skus.filter((s) => s.resellable) };
      this.skuListCache.set(m, lists);
    }
    return lists;
  }
}

/** JSON pieces of an account that every claim repeats, computed once and kept on the account:
 * one string, one buffer and views into it (`who` is the start of `whoDevice`, `device` its end),
 * as five strings and buffers per account cost ~7 µs, a city has 200,000 accounts. */
function cached(a: Account): AccountJson {
  if (a.json) return a.json;
  const uaJson = JSON.stringify(a.userAgent);
  const head = `","lat":${a.lat},"lon":${a.lon},"userAgent":${uaJson}`;
  const who = `"userId":"${a.userId}","idHash":"${a.idHash}","phoneHash":"${a.phoneHash}","deviceId":"`;
  const whoDevice = `${who}${a.deviceId}","ip":"`;
  const payer = `"userId":"${a.userId}","merchantId":"`;
  // From the IP's closing quote to the end of the claim.
  const claimTail = `${head},"channel":"${a.channel}","accountCreatedAt":"${cstIso(a.createdMs)}"}`;
  const all = ascii(whoDevice + payer + claimTail);
  const payerAt = whoDevice.length, tailAt = payerAt + payer.length;
  return (a.json = {
    uaJson,
    who: all.subarray(0, who.length),
    whoDevice: all.subarray(0, payerAt),
    payer: all.subarray(payerAt, tailAt),
    // `"deviceId":"…","ip":"`: the end of `whoDevice`.
    device: all.subarray(who.length - DEVICE_ID.length, payerAt),
    claimTail: all.subarray(tailAt),
    channelAt: head.length,
  });
}

const CST_MS = 8 * HOUR_MS;
const cstDates = new Map<number, string>();

/** `toCstIso` (core/clock.ts) without a Date and a regex per call: the date part is made once per
 * CST day. Same text for any time from 1970 to 9999 (checked against it in world.test.ts). */
export function cstIso(ms: number): string {
  // As `new Date(ms + 8 h)`: a fraction of a millisecond is cut off.
  const local = Math.trunc(ms + CST_MS);
  const day = Math.floor(local / DAY_MS);
  let date = cstDates.get(day);
  if (date === undefined) cstDates.set(day, (date = new Date(day * DAY_MS).toISOString().slice(0, 11)));
  const t = local - day * DAY_MS;
  const h = Math.floor(t / HOUR_MS), m = Math.floor(t / 60_000) % 60, sec = Math.floor(t / 1000) % 60, milli = t % 1000;
  return `${date}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${sec < 10 ? '0' : ''}${sec}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}+08:00`;
}

/** JSON text known to be ASCII (ids, hashes, numbers, escaped user agents) as bytes. */
function ascii(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

// Constant pieces of claims and redemptions, as bytes.
const CLAIM_ID = ascii('"claimId":"');
const COUPON_ID = ascii('","couponId":"cpn_');
const COUPON_ID_NO_PREFIX = ascii('","couponId":"');
const REDEMPTION_ID = ascii('"redemptionId":"');
const QUOTE = ascii('"');
const QUOTE_COMMA = ascii('",');
const COMMA = ascii(',');
const IP = ascii('","ip":"');
const DEVICE_ID = ascii('"deviceId":"');
const ORDER_FEN = ascii('","orderFen":');
const DISCOUNT_FEN = ascii(',"discountFen":');
const PAID_FEN = ascii(',"paidFen":');
const TERMINAL_ID = ascii(',"terminalId":"');
const LAT = ascii(',"lat":');
const LON = ascii(',"lon":');
const ITEMS = ascii(',"items":[');
const UNIT_PRICE = ascii(',"unitPriceFen":');
const CLOSE_BRACE = ascii('}');
const CLOSE_BRACKET = ascii(']');

// Room for a claim and a redemption past the pieces sized per call (ids, hashes, numbers, IPs).
const CLAIM_RESERVE = 512;
const CLAIM_PREFIX = `${ID_PREFIXES.claim}_`;
const REDEMPTION_PREFIX = `${ID_PREFIXES.redemption}_`;
const REDEMPTION_RESERVE = 1024;

const RADII = [1, 2, 4] as const;

/** The listed shops of one category by grid cell, and the windows made from them so far (one map
 * per radius, by centre cell; emptied when a shop is added). Shared by the worlds of a stage. */
interface CellIndex {
  cells: Map<number, Merchant[]>;
  windows: Map<number, Merchant[]>[];
}

/** The shops (passing `filter`) of the cells within `radius` of (cx, cy), x-major then y. */
function windowOf(cells: Map<number, Merchant[]>, cx: number, cy: number, radius: number, filter?: (m: Merchant) => boolean): Merchant[] {
  const out: Merchant[] = [];
  for (let dx = -radius; dx <= radius; dx++)
    for (let dy = -radius; dy <= radius; dy++) {
      const list = cells.get(cellKey(cx + dx, cy + dy));
      if (list) for (const m of list) if (!filter || filter(m)) out.push(m);
    }
  return out;
}

function cacheWindow(index: CellIndex, r: number, cx: number, cy: number): Merchant[] {
  const shops = windowOf(index.cells, cx, cy, RADII[r]!);
  index.windows[r]!.set(cellKey(cx, cy), shops);
  return shops;
}

function cellKey(x: number, y: number): number {
  return x * 100_000 + y;
}

/** Within ~150 m: a payer standing in the shop. */
export function nearPoint(rng: Rng, lat: number, lon: number): { lat: number; lon: number } {
  return { lat: Math.round((lat + rng.normal(0, 0.0008)) * 1e6) / 1e6, lon: Math.round((lon + rng.normal(0, 0.0008)) * 1e6) / 1e6 };
}

function roundPrice(fen: number, category: Category): number {
  if (category === 'supermarket') return Math.max(90, Math.round(fen / 100) * 100 - 10);
  return Math.max(100, Math.round(fen / 100) * 100);
}

// ---- time of day ----

const DINING_HOURS = [0.3, 0.12, 0.05, 0.02, 0, 0, 0.2, 0.6, 0.9, 0.6, 0.8, 3, 3.5, 1.5, 0.6, 0.5, 0.8, 3, 3.5, 2.5, 1.2, 0.7, 0.45, 0.35];
const SHOP_HOURS = [0.04, 0.01, 0, 0, 0, 0, 0.1, 0.5, 1.2, 2, 2.5, 2.5, 2, 2, 2.3, 2.5, 2.5, 2.3, 2.5, 2.8, 2.5, 1.5, 0.5, 0.12];
const LODGING_HOURS = [0.3, 0.1, 0, 0, 0, 0, 0.3, 1, 2, 2, 1.5, 1.2, 0.8, 0.8, 1.5, 2, 2.2, 2.2, 2, 1.8, 1.5, 1.2, 0.9, 0.6];
const FUN_HOURS = [0.6, 0.3, 0.1, 0, 0, 0, 0, 0.1, 0.3, 0.8, 1.2, 1.2, 1.2, 1.5, 1.8, 1.8, 1.8, 1.8, 2, 2.5, 2.8, 2.5, 1.8, 1.1];
const HOURS = Array.from({ length: 24 }, (_, i) => i);

export function hourProfile(category: Category): number[] {
  if (category === 'dining') return DINING_HOURS;
  if (category === 'lodging') return LODGING_HOURS;
  if (category === 'entertainment') return FUN_HOURS;
  return SHOP_HOURS;
}

/** CST midnight of the day containing `ms`. */
export function cstMidnight(ms: number): number {
  return Math.floor((ms + 8 * HOUR_MS) / DAY_MS) * DAY_MS - 8 * HOUR_MS;
}

/** A time on the CST day starting at `midnightMs`, hour drawn from the profile. */
export function timeOnDay(rng: Rng, midnightMs: number, profile: readonly number[]): number {
  const hour = rng.weighted(HOURS, profile);
  return midnightMs + hour * HOUR_MS + Math.floor(rng.next() * HOUR_MS);
}

/**
 * When a coupon claimed at `claimMs` is used: days later (heavy tail), at an hour typical for the
 * shop, always after the claim and before the coupon expires.
 */
export function useTime(rng: Rng, issued: Issued, profile: readonly number[], medianDays = 2.5): number {
  const lastDay = cstMidnight(issued.batch.validUntilMs);
  const days = Math.floor(rng.logNormal(medianDays, 0.9));
  const day = Math.min(cstMidnight(issued.claimMs) + days * DAY_MS, lastDay);
  let t = timeOnDay(rng, day, profile);
  if (t <= issued.claimMs + 10 * 60_000) t = issued.claimMs + 10 * 60_000 + Math.floor(rng.exponential(2 * HOUR_MS));
  return Math.min(t, issued.batch.validUntilMs - 60_000);
}

/** Human reaction to a drop: seconds for the eager, minutes for most, hours for many. */
export function humanClaimDelay(rng: Rng): number {
  const r = rng.next();
  if (r < 0.25) return 1_200 + rng.logNormal(9_000, 0.8);
  if (r < 0.65) return rng.logNormal(12 * 60_000, 1.0);
  return Math.min(rng.logNormal(4 * HOUR_MS, 1.1), 5 * DAY_MS);
}
