import { describe, expect, it } from 'vitest';
import { addBotFarm, addCashOutRing, addFamily, addHonestUsers, baseWindow, ringedWindow } from '../testing/window-fixtures.ts';
import { buildGraph } from './build.ts';
import { louvainCommunities } from './communities.ts';
import { customersSharingCards, detectRings, RING_CONFIG, scoreRings, type RingCandidate } from './rings.ts';

function flagsOf(w: ReturnType<typeof baseWindow>) {
  const g = buildGraph(w);
  return scoreRings(g, detectRings(g, { seed: 7 }));
}

describe('ring detection', () => {
  it('finds a bot farm of 30 accounts on 2 devices and lists every member', () => {
    const w = baseWindow();
    addHonestUsers(w, 200);
    const bots = addBotFarm(w, 30, 2);
    const flags = flagsOf(w);
    const bot = flags.filter((f) => f.fraudType === 'bot_claiming');
    expect(bot).toHaveLength(1);
    expect(new Set(bot[0]!.members)).toEqual(new Set(bots));
    expect(bot[0]!.reasons).toContain('RING.BOT_FARM.ACCOUNTS_PER_DEVICE');
    expect(bot[0]!.evidence.figures.maxAccountsPerDevice).toBe(15);
    expect(bot[0]!.evidence.edges.some((e) => e.kind === 'device' && e.to.startsWith('dev_usr_b'))).toBe(true);
  });

  it('does not flag an honest family sharing one device', () => {
    const w = baseWindow();
    addHonestUsers(w, 200);
    const family = addFamily(w, 4);
    const flags = flagsOf(w);
    const flagged = new Set(flags.flatMap((f) => f.members));
    for (const m of family) expect(flagged.has(m)).toBe(false);
    expect(flags).toHaveLength(0);
  });

  it('finds a cash-out ring around its merchant, with threshold hugging and refunds as evidence', () => {
    const w = baseWindow();
    addHonestUsers(w, 200);
    const ring = addCashOutRing(w, 8, 'mch_5');
    const flags = flagsOf(w).filter((f) => f.fraudType === 'cash_out');
    expect(flags).toHaveLength(1);
    expect(flags[0]!.members).toContain('mch_5');
    for (const u of ring) expect(flags[0]!.members).toContain(u);
    expect(flags[0]!.reasons).toEqual(expect.arrayContaining(['RING.CASH_OUT.THRESHOLD_HUGGING', 'RING.CASH_OUT.REFUND_AFTER_REDEMPTION']));
  });

  it('does not flag an owner who shops at their own shop alone', () => {
    const w = baseWindow();
    addHonestUsers(w, 200);
    w.merchants[0]!.ownerIdHash = 'id_usr_h0'; // usr_h0 redeems at mch_0 (i % 6 === 0)
    expect(flagsOf(w)).toHaveLength(0);
  });

  it('flags a shell: several accounts of one person spending their coupons at the shop that person owns', () => {
    const w = baseWindow();
    addHonestUsers(w, 200);
    w.merchants[5]!.ownerIdHash = 'id_shell';
    for (let i = 0; i < 5; i++) {
      w.claims.push({ userId: `usr_s${i}`, atMs: w.batches[0]!.dropAtMs + 3_600_000 * (i + 1), batchId: 'bat_1', couponTypeId: 'cpt_100_20', idHash: 'id_shell', phoneHash: `ph_s${i % 2}`, deviceId: 'dev_shell' });
      w.redemptions.push({ userId: `usr_s${i}`, merchantId: 'mch_5', orderId: `ord_s${i}`, couponTypeId: 'cpt_100_20', atMs: w.endMs - 3_600_000, orderFen: 10_100, discountFen: 2_000, cardHash: 'card_shell' });
    }
    const subsidy = flagsOf(w).filter((f) => f.fraudType === 'subsidy_fraud');
    expect(subsidy).toHaveLength(1);
    expect(subsidy[0]!.members).toEqual(expect.arrayContaining(['usr_s0', 'usr_s4', 'mch_5']));
    expect(subsidy[0]!.reasons).toEqual(expect.arrayContaining(['RING.MANY_IDENTITIES.ACCOUNTS_PER_PERSON', 'RING.MANY_IDENTITIES.OWNER_REDEEMS_AT_OWN_SHOP']));
  });

  it('does not flag two accounts on one ID hash that share no phone, device or card (two people whose IDs hash alike)', () => {
    const w = baseWindow();
    addHonestUsers(w, 200);
    // usr_h3 and usr_h150 live apart: own phone, device, card and IP; only the ID hash is common.
    w.claims.find((c) => c.userId === 'usr_h150')!.idHash = 'id_usr_h3';
    expect(flagsOf(w)).toHaveLength(0);
  });

  it('flags two accounts on one ID hash that also share a card', () => {
    const w = baseWindow();
    addHonestUsers(w, 200);
    w.claims.find((c) => c.userId === 'usr_h150')!.idHash = 'id_usr_h3';
    w.redemptions.find((r) => r.userId === 'usr_h150')!.cardHash = 'card_usr_h3';
    const subsidy = flagsOf(w).filter((f) => f.fraudType === 'subsidy_fraud');
    expect(subsidy).toHaveLength(1);
    expect(new Set(subsidy[0]!.members)).toEqual(new Set(['usr_h3', 'usr_h150']));
    expect(subsidy[0]!.reasons).toEqual(expect.arrayContaining(['RING.MANY_IDENTITIES.ACCOUNTS_PER_PERSON', 'RING.MANY_IDENTITIES.SHARED_CARD']));
  });

  it('gives the same Louvain communities twice with the same seed', () => {
    const w = baseWindow();
    addHonestUsers(w, 150);
    addCashOutRing(w, 8, 'mch_5');
    const g = buildGraph(w);
    const norm = (m: Map<number, string[]>) => [...m.values()].map((c) => [...c].sort().join(',')).sort();
    expect(norm(louvainCommunities(g, { seed: 42 }))).toEqual(norm(louvainCommunities(g, { seed: 42 })));
    expect(flagsOf(w)).toEqual(flagsOf(w));
  });

  it('gives the same candidates and flags on the window graph as on its graphology copy', () => {
    const w = ringedWindow();
    const g = buildGraph(w);
    const plain = g.toGraphology();
    for (const seed of [1, 7]) {
      const candidates = detectRings(g, { seed });
      expect(candidates.some((c) => c.source === 'merchant_community')).toBe(true);
      expect(candidates).toEqual(detectRings(plain, { seed }));
      const flags = scoreRings(g, candidates);
      expect(flags.map((f) => f.fraudType).sort()).toEqual(expect.arrayContaining(['bot_claiming', 'cash_out', 'subsidy_fraud']));
      expect(flags).toEqual(scoreRings(plain, detectRings(plain, { seed })));
    }
  });

  it('skips Louvain only where the community loop could not add a candidate (same candidates as the loop over every community)', () => {
    const cfg = RING_CONFIG.cashOut;
    // The community loop as it was: every merchant of every community, its sharing customers cut to the community.
    const communityLoop = (g: ReturnType<typeof buildGraph>, seed: number) => {
      const out: RingCandidate[] = [];
      for (const members of louvainCommunities(g, { seed }).values()) {
        const accounts = members.filter((k) => g.getNodeAttribute(k, 'kind') === 'account');
        if (accounts.length < cfg.minAccounts || accounts.length > cfg.maxCommunityAccounts) continue;
        for (const m of members) {
          if (g.getNodeAttribute(m, 'kind') !== 'merchant') continue;
          const inCommunity = new Set(accounts);
          const sharing = customersSharingCards(g, m, cfg.minMemberHugging).filter((a) => inCommunity.has(a));
          if (sharing.length >= cfg.minAccounts) out.push({ pattern: 'cashOut', source: 'merchant_community', anchor: m, accounts: sharing });
        }
      }
      return out;
    };
    const quiet = baseWindow();
    addHonestUsers(quiet, 300);
    addBotFarm(quiet, 30, 2);
    addFamily(quiet, 4);
    const ringed = structuredClone(quiet);
    addCashOutRing(ringed, 8, 'mch_5');
    for (const w of [quiet, ringed]) {
      const g = buildGraph(w);
      for (const seed of [1, 7]) {
        const got = detectRings(g, { seed }).filter((c) => c.source === 'merchant_community');
        expect(got).toEqual(communityLoop(g, seed));
      }
    }
    expect(communityLoop(buildGraph(ringed), 1).length).toBeGreaterThan(0);
  });
});
