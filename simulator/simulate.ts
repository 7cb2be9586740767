// The orchestrator: builds the city, lets honest people, background users and fraudsters act,
// and returns the events sorted by time plus the labels. Order matters only where one scenario
// changes what honest people meet (gouged prices, colluding shops) before they shop.
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { Rng } from '../core/rng.ts';
import { campaignBody, planCampaign } from './campaign.ts';
import { injectBackground, readTianchi, type BackgroundStats } from './background.ts';
import { injectBotFarms } from './fraud/bot.ts';
import { injectCashOut, pickCashOutMerchants } from './fraud/cashout.ts';
import { injectGouging } from './fraud/gouging.ts';
import { injectHoarders } from './fraud/hoarding.ts';
import { injectSubsidyRings } from './fraud/subsidy.ts';
import { createHonestMerchants, createHonestPopulation, honestBehaviour } from './honest.ts';
import { IdentityFactory, mobileIpPool } from './identity.ts';
import { LabelBook, type Labels } from './labels.ts';
import { observePrices } from './prices.ts';
import { resolveKnobs, SCALES, simulateOptionsSchema, type SimulateOptions } from './options.ts';
import { EventSink } from './sink.ts';
import { World } from './world.ts';

export interface SimulationStats {
  events: number;
  byType: Record<string, number>;
  users: number;
  merchants: number;
  generateMs: number;
  background?: BackgroundStats;
}

export interface Simulation {
  labels: Labels;
  stats: SimulationStats;
  /** The events as NDJSON bytes, sorted by occurredAt, in chunks of whole lines. Iterate once. */
  chunks(): Generator<Buffer>;
  /** Removes the spill files (also done when `chunks` is read to the end). */
  dispose(): void;
}

export async function simulate(input: SimulateOptions): Promise<Simulation> {
  const parsed = simulateOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`simulator: option ${issue.path.join('.') || '(root)'} ${issue.message}`);
  }
  const o = parsed.data;
  const knobs = resolveKnobs(o);
  const began = performance.now();
  const root = new Rng(o.seed);
  const rng = root.fork('behaviour');
  const idRng = root.fork('ids');
  const sink = new EventSink(o.spillDir, root.fork('event-ids'), o.memoryBudgetBytes);
  const plan = planCampaign(idRng, o.startDate);
  const labels = new LabelBook();
  const users = o.users ?? SCALES[o.scale].users;
  const world = new World(rng, idRng, sink, plan, new IdentityFactory(rng, o.hmacSecret), labels, mobileIpPool(rng, Math.max(40, Math.round(users / 400))));

  try {
    // Read first: a wrong path fails in a second, not after the honest city is built.
    const tianchi = o.background ? await readTianchi(o.background, o.backgroundLimit ?? Number.MAX_SAFE_INTEGER) : undefined;
    const shops = createHonestMerchants(world, o.merchants ?? SCALES[o.scale].merchants);
    const colluding = pickCashOutMerchants(world, shops, knobs.cashOutRings);
    injectGouging(world, shops.filter((m) => !colluding.includes(m)), knobs.gougers, knobs.subtleShare);
    const population = createHonestPopulation(world, users);
    honestBehaviour(world, population);
    let background: BackgroundStats | undefined;
    if (tianchi) background = injectBackground(world, tianchi.rows, tianchi.skipped);
    injectBotFarms(world, knobs.botFarms, knobs.subtleShare);
    injectCashOut(world, colluding, knobs.subtleShare);
    injectHoarders(world, knobs.hoarders, knobs.subtleShare);
    injectSubsidyRings(world, knobs.subsidyRings, knobs.subtleShare);
    for (const m of world.merchants) observePrices(world, m);
    // Published ten days before the first drop, sized after the fact to cover every claim with
    // some stock left, as a bureau sizes batches from the expected take-up.
    sink.emit(plan.startMs - 10 * 86_400_000, 'campaign.published', campaignBody(plan, (c) => Math.ceil(((world.claimsPerType.get(c.couponTypeId) ?? 0) * 1.2 + 10) / 10) * 10));

    const stats: SimulationStats = {
      events: sink.total,
      byType: { ...sink.counts },
      users: world.accounts,
      merchants: world.merchants.length,
      generateMs: performance.now() - began,
      background,
    };
    const labelJson = labels.toJSON(
      { users: world.accounts, merchants: world.merchants.length },
      { seed: o.seed, scale: o.scale, startDate: o.startDate, knobs, campaignId: plan.campaignId, background: o.background ? { limit: o.backgroundLimit ?? null } : null },
    );
    return {
      labels: labelJson,
      stats,
      chunks: function* () {
        try {
          yield* sink.sortedChunks();
        } finally {
          sink.dispose();
        }
      },
      dispose: () => sink.dispose(),
    };
  } catch (err) {
    sink.dispose();
    throw err;
  }
}

/** Writes DIR/events.ndjson and DIR/labels.json; returns the stats with the total time. */
export async function simulateToDir(options: Omit<SimulateOptions, 'spillDir'> & { spillDir?: string }, outDir: string): Promise<SimulationStats & { totalMs: number }> {
  const began = performance.now();
  await mkdir(outDir, { recursive: true });
  const sim = await simulate({ ...options, spillDir: options.spillDir ?? join(outDir, `.spill-${process.pid}`) });
  const out = createWriteStream(join(outDir, 'events.ndjson'));
  try {
    for (const chunk of sim.chunks()) if (!out.write(chunk)) await once(out, 'drain');
  } finally {
    out.end();
    await once(out, 'finish');
    sim.dispose();
  }
  await writeFile(join(outDir, 'labels.json'), JSON.stringify(sim.labels, null, 1) + '\n');
  return { ...sim.stats, totalMs: performance.now() - began };
}
