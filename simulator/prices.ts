// Price observations: baseline prices seen in the weeks before the campaign, then the menu
// published at the start and till (POS) prices seen during it. Gouging shows up only as the
// difference between what was observed before and what is charged after.
import { DAY_MS, HOUR_MS } from './campaign.ts';
import type { Merchant, World } from './world.ts';

export function observePrices(w: World, m: Merchant): void {
  const rng = w.rng;
  const { startMs, endMs } = w.plan;
  // Baselines fall in the window from two weeks to one week before the start; a shop enrolled
  // later than that is observed between enrolment and the start (a short history is itself a sign).
  let from = Math.max(m.registeredMs + HOUR_MS, startMs - 14 * DAY_MS);
  let to = startMs - 7 * DAY_MS;
  if (to <= from) {
    from = m.registeredMs + 1;
    to = Math.max(from + 1, startMs - 3 * HOUR_MS);
  }
  for (const s of m.skus) {
    const n = rng.int(1, 2);
    for (let i = 0; i < n; i++) w.sink.emit(from + rng.next() * (to - from), 'price.observed', { merchantId: m.merchantId, sku: s.sku, name: s.name, priceFen: s.baseFen, source: 'baseline' });
  }
  const menuMs = startMs - 2 * HOUR_MS + rng.int(0, 100 * 60_000);
  for (const s of m.skus) {
    w.sink.emit(menuMs, 'price.observed', { merchantId: m.merchantId, sku: s.sku, name: s.name, priceFen: s.menuFen, source: 'menu' });
    const n = rng.int(1, 4);
    for (let i = 0; i < n; i++) w.sink.emit(startMs + rng.next() * (endMs - startMs), 'price.observed', { merchantId: m.merchantId, sku: s.sku, priceFen: s.chargedFen, source: 'pos' });
  }
}
