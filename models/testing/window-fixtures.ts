// Hand-made windows for the models' unit tests: a few explicit shapes, no simulator involved.
import { emptyWindow, type ClaimRow, type ModelWindow, type RedemptionRow } from '../window.ts';

export const T0 = Date.parse('2026-03-01T10:00:00.000+08:00');
const DAY = 86_400_000;

export function baseWindow(): ModelWindow {
  const w = emptyWindow(T0 + 3 * DAY);
  w.campaigns.push({ campaignId: 'cmp_1', startsAtMs: T0 - DAY });
  w.batches.push({ batchId: 'bat_1', campaignId: 'cmp_1', dropAtMs: T0 });
  w.couponTypes.push({ couponTypeId: 'cpt_100_20', thresholdFen: 10_000, discountFen: 2_000 });
  for (let i = 0; i < 6; i++)
    w.merchants.push({ merchantId: `mch_${i}`, category: 'dining', district: 'haizhou', lat: 34.6 + i * 0.01, lon: 119.2, ownerIdHash: undefined });
  return w;
}

function claim(partial: Partial<ClaimRow> & { userId: string }): ClaimRow {
  return { atMs: T0 + 60_000, batchId: 'bat_1', couponTypeId: 'cpt_100_20', userAgent: 'Mozilla/5.0 (iPhone)', accountCreatedAtMs: T0 - 400 * DAY, ...partial };
}

function redemption(partial: Partial<RedemptionRow> & { userId: string; merchantId: string; orderId: string }): RedemptionRow {
  return { couponTypeId: 'cpt_100_20', atMs: T0 + DAY, orderFen: 15_800, discountFen: 2_000, lat: 34.6, lon: 119.2, ...partial };
}

/** `n` honest users, each on their own device, phone and IP, spread over the day, redeeming around town. */
export function addHonestUsers(w: ModelWindow, n: number, prefix = 'usr_h'): void {
  for (let i = 0; i < n; i++) {
    const userId = `${prefix}${i}`;
    w.claims.push(claim({ userId, idHash: `id_${prefix}${i}`, phoneHash: `ph_${prefix}${i}`, deviceId: `dev_${prefix}${i}`, ip: `10.${i % 200}.${(i * 7) % 250}.${i % 250}`, atMs: T0 + 30_000 + i * 97_000 }));
    w.redemptions.push(redemption({ userId, merchantId: `mch_${i % 6}`, orderId: `ord_${prefix}${i}`, cardHash: `card_${prefix}${i}`, orderFen: 12_000 + (i * 1_337) % 20_000, atMs: T0 + DAY + i * 61_000 }));
  }
}

/** A bot farm: `n` fresh accounts on `devices` devices, claiming within a second of the drop. */
export function addBotFarm(w: ModelWindow, n: number, devices: number, prefix = 'usr_b'): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const userId = `${prefix}${i}`;
    ids.push(userId);
    w.claims.push(claim({
      userId, idHash: `id_${prefix}${i}`, phoneHash: `ph_${prefix}${i}`, deviceId: `dev_${prefix}_${i % devices}`, ip: `172.16.5.${i % 250}`,
      atMs: T0 + 50 + i * 20, userAgent: 'okhttp/4.9.0', accountCreatedAtMs: T0 - 2 * DAY,
    }));
  }
  return ids;
}

/** A family: `n` accounts, one device, one home IP, ordinary claiming and shopping. */
export function addFamily(w: ModelWindow, n: number, prefix = 'usr_f'): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const userId = `${prefix}${i}`;
    ids.push(userId);
    w.claims.push(claim({ userId, idHash: `id_${prefix}${i}`, phoneHash: `ph_${prefix}${i}`, deviceId: `dev_${prefix}`, ip: '192.168.9.7', atMs: T0 + 3_600_000 * (i + 1) }));
    w.redemptions.push(redemption({ userId, merchantId: `mch_${i % 3}`, orderId: `ord_${prefix}${i}`, cardHash: `card_${prefix}`, orderFen: 13_000 + i * 2_100 }));
  }
  return ids;
}

/** A cash-out ring: `n` accounts sharing 2 cards, redeeming just over the threshold at one merchant, then refunding. */
export function addCashOutRing(w: ModelWindow, n: number, merchantId: string, prefix = 'usr_c'): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const userId = `${prefix}${i}`;
    ids.push(userId);
    w.claims.push(claim({ userId, idHash: `id_${prefix}${i}`, phoneHash: `ph_${prefix}${i}`, deviceId: `dev_${prefix}${i}`, ip: `100.64.${i}.9`, atMs: T0 + 600_000 + i * 45_000 }));
    for (let k = 0; k < 3; k++) {
      const orderId = `ord_${prefix}${i}_${k}`;
      w.redemptions.push(redemption({ userId, merchantId, orderId, cardHash: `card_${prefix}_${i % 2}`, orderFen: 10_000 + ((i + k) % 4) * 100, atMs: T0 + DAY + i * 3_000 + k * 600_000 }));
      if (k < 2) w.refunds.push({ orderId, merchantId, userId, atMs: T0 + 2 * DAY, refundFen: 8_000 });
    }
  }
  return ids;
}

/** Honest users, a bot farm, a family, two cash-out rings and an owner who shops at his own shop. */
export function ringedWindow(): ModelWindow {
  const w = baseWindow();
  addHonestUsers(w, 300);
  addBotFarm(w, 30, 2);
  addFamily(w, 4);
  addCashOutRing(w, 8, 'mch_5');
  addCashOutRing(w, 6, 'mch_2', 'usr_d');
  w.merchants[3]!.ownerIdHash = 'id_usr_h3';
  w.claims.find((c) => c.userId === 'usr_h150')!.idHash = 'id_usr_h3';
  w.redemptions.find((r) => r.userId === 'usr_h150')!.cardHash = 'card_usr_h3';
  return w;
}
