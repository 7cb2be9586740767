import { describe, expect, it } from 'vitest';
import { toCstIso } from '../core/clock.ts';
import type { QuanguardEvent } from '../core/events.ts';
import { Rng } from '../core/rng.ts';
import { farmEvents, FARM_T0 } from './testing/farm-events.ts';
import { WindowBuilder, windowFromEvents } from './window-builder.ts';

/** The farm, plus claims that share a millisecond (ordered by eventId then) and redemptions. */
function events(): QuanguardEvent[] {
  const out = farmEvents();
  const claim = out.find((e) => e.type === 'claim')!;
  for (const id of ['evt_tie_b', 'evt_tie_a', 'evt_tie_c']) out.push({ ...claim, eventId: id, userId: `usr_${id}`, occurredAt: toCstIso(FARM_T0 + 5_000) });
  for (let i = 0; i < 6; i++)
    out.push({ eventId: `evt_r${i}`, type: 'redemption', occurredAt: toCstIso(FARM_T0 + 86_400_000 - i * 1_000), redemptionId: `rdm_${i}`, couponId: `cpn_${i}`, campaignId: 'cmp_1', couponTypeId: 'cpt_1', userId: `usr_farm${i}`, merchantId: 'mch_1', orderId: `ord_${i}`, orderFen: 10_500, discountFen: 2_000, paidFen: 8_500 });
  return out;
}

describe('WindowBuilder', () => {
  it('builds the same window whatever order the events arrive in, redelivered ones included', () => {
    const inOrder = windowFromEvents(events());
    const rng = new Rng(5);
    const shuffled = events();
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const b = new WindowBuilder();
    for (const e of [...shuffled, ...shuffled.slice(0, 7)]) b.add(e);
    expect(b.build()).toEqual(inOrder);
    expect(inOrder.claims.filter((c) => c.atMs === FARM_T0 + 5_000).map((c) => c.userId)).toEqual(['usr_evt_tie_a', 'usr_evt_tie_b', 'usr_evt_tie_c']);
    expect(inOrder.redemptions.map((r) => r.orderId)).toEqual(['ord_5', 'ord_4', 'ord_3', 'ord_2', 'ord_1', 'ord_0']);
    expect(inOrder.claims).toHaveLength(15);
  });

  it('keeps rows added after a build in order at the next build', () => {
    const all = events();
    const b = new WindowBuilder();
    for (const e of all.slice(10)) b.add(e);
    b.build();
    for (const e of all.slice(0, 10)) b.add(e);
    expect(b.build()).toEqual(windowFromEvents(all));
  });
});
