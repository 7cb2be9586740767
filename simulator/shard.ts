// The city is generated in shards that share nothing but the seed: shard 0 is the city's own
// (shop registrations, price observations, background traffic and every fraud scenario), shards
// 1..H each hold a slice of the honest population. Every shard first rebuilds the same stage from
// the seed (campaign, shops, colluding and gouging picks) and then acts with its own random
// streams, so a shard's bytes depend only on the seed, the options and its index, never on the
// thread that ran it or on the other shards.
import { join } from 'node:path';
import { Rng } from '../core/rng.ts';
import { planCampaign, type CampaignPlan } from './campaign.ts';
import { injectBackground, readTianchi, type BackgroundStats } from './background.ts';
import { injectBotFarms } from './fraud/bot.ts';
import { injectCashOut, pickCashOutMerchants } from './fraud/cashout.ts';
import { injectGouging } from './fraud/gouging.ts';
import { injectHoarders } from './fraud/hoarding.ts';
import { injectSubsidyRings } from './fraud/subsidy.ts';
import { createHonestMerchants, createHonestPopulation, honestBehaviour } from './honest.ts';
import { IdentityFactory, mobileIpPool } from './identity.ts';
import { LabelBook } from './labels.ts';
import { observePrices } from './prices.ts';
import type { ResolvedOptions } from './options.ts';
import { resolveKnobs, SCALES } from './scales.ts';
import { EventSink, type DayRun } from './sink.ts';
import { DISCARD, World, type Emitter, type Merchant } from './world.ts';

/** Honest winners per shard unless the options say otherwise: 8 shards for the city. */
export const DEFAULT_USERS_PER_SHARD = 25_000;

export interface ShardSpec {
  index: number;
  kind: 'city' | 'honest';
  /** Honest shards: which slice (0-based) of how many, and how many winners in it. */
  slice: number;
  slices: number;
  users: number;
}

export interface ShardResult {
  index: number;
  runs: DayRun[];
  counts: Record<string, number>;
  claimsPerType: Record<string, number>;
  accounts: number;
  /** City shard: every shop (honest, shells, background); 0 for honest shards. */
  merchants: number;
  labels?: Pick<LabelBook, 'users' | 'merchants' | 'userVariants' | 'merchantVariants' | 'devices' | 'backgroundUsers' | 'backgroundMerchants'>;
  background?: BackgroundStats;
}

export function planShards(o: ResolvedOptions): ShardSpec[] {
  const users = o.users ?? SCALES[o.scale].users;
  const slices = Math.max(1, Math.ceil(users / (o.usersPerShard ?? DEFAULT_USERS_PER_SHARD)));
  const specs: ShardSpec[] = [{ index: 0, kind: 'city', slice: 0, slices, users: 0 }];
  for (let h = 0; h < slices; h++) {
    const n = Math.floor((users * (h + 1)) / slices) - Math.floor((users * h) / slices);
    specs.push({ index: h + 1, kind: 'honest', slice: h, slices, users: n });
  }
  return specs;
}

interface Stage {
  world: World;
  shops: Merchant[];
  colluding: Merchant[];
}

/** The seed's root streams: behaviour and ids of the stage (and of the city shard after it). */
function stageStreams(o: ResolvedOptions): { rng: Rng; idRng: Rng } {
  const root = new Rng(o.seed);
  const rng = root.fork('behaviour');
  return { rng, idRng: root.fork('ids') };
}

/** The campaign every shard acts in (its ids are the stage's first draws). */
export function stagePlan(o: ResolvedOptions): CampaignPlan {
  return planCampaign(stageStreams(o).idRng, o.startDate);
}

/** The shared stage, drawn from the seed's own streams: the same in every shard and thread. */
function buildStage(o: ResolvedOptions, sink: Emitter, labels: LabelBook): Stage {
  const knobs = resolveKnobs(o);
  const { rng, idRng } = stageStreams(o);
  const plan = planCampaign(idRng, o.startDate);
  const users = o.users ?? SCALES[o.scale].users;
  // Slot 0 of the identity numbers is the stage's; honest slice k numbers its people in slot k + 1.
  const world = new World(rng, idRng, sink, plan, new IdentityFactory(rng, o.hmacSecret, { index: 0, of: planShards(o).length }), labels, mobileIpPool(rng, Math.max(40, Math.round(users / 400))));
  const shops = createHonestMerchants(world, o.merchants ?? SCALES[o.scale].merchants);
  const colluding = pickCashOutMerchants(world, shops, knobs.cashOutRings);
  injectGouging(world, shops.filter((m) => !colluding.includes(m)), knobs.gougers, knobs.subtleShare);
  return { world, shops, colluding };
}

/** The event-id stream of the city shard (the stage's own root) or of an honest slice. */
function eventIdRng(o: ResolvedOptions, spec: ShardSpec): Rng {
  return spec.kind === 'city' ? new Rng(o.seed).fork('event-ids') : new Rng(`honest-slice:${spec.slice}:${o.seed}`).fork('event-ids');
}

/** Runs shards one after another in this thread; the honest stage is built once and shared. */
export class ShardRunner {
  private honestStage?: Stage;

  constructor(private readonly o: ResolvedOptions, private readonly spillRoot: string) {}

  async run(spec: ShardSpec): Promise<ShardResult> {
    const o = this.o;
    const sink = new EventSink(join(this.spillRoot, `shard-${spec.index}`), eventIdRng(o, spec), o.memoryBudgetBytes);
    if (spec.kind === 'city') return this.city(spec, sink);
    // The honest stage's shops are never changed by honest people, so slices can share it.
    const stage = (this.honestStage ??= buildStage(o, DISCARD, new LabelBook()));
    const base = new Rng(`honest-slice:${spec.slice}:${o.seed}`);
    const rng = base.fork('behaviour');
    const world = stage.world.forShard(rng, base.fork('ids'), sink, new IdentityFactory(rng, o.hmacSecret, { index: spec.slice + 1, of: spec.slices + 1 }), new LabelBook());
    // Each slice has its own shopkeepers who may have won the lottery.
    const owners = stage.shops.filter((_, i) => i % spec.slices === spec.slice);
    honestBehaviour(world, createHonestPopulation(world, spec.users, owners));
    return { index: spec.index, runs: sink.finish(), counts: sink.counts, claimsPerType: Object.fromEntries(world.claimsPerType), accounts: world.accounts, merchants: 0 };
  }

  /** Shop registrations, background traffic, the fraud scenarios and the price observations. */
  private async city(spec: ShardSpec, sink: EventSink): Promise<ShardResult> {
    const o = this.o;
    const knobs = resolveKnobs(o);
    // Read first: a wrong path fails in a second, not after the city is built.
    const tianchi = o.background ? await readTianchi(o.background, o.backgroundLimit ?? Number.MAX_SAFE_INTEGER) : undefined;
    const labels = new LabelBook();
    const { world, colluding } = buildStage(o, sink, labels);
    let background: BackgroundStats | undefined;
    if (tianchi) background = injectBackground(world, tianchi.rows, tianchi.skipped);
    injectBotFarms(world, knobs.botFarms, knobs.subtleShare);
    injectCashOut(world, colluding, knobs.subtleShare);
    injectHoarders(world, knobs.hoarders, knobs.subtleShare);
    injectSubsidyRings(world, knobs.subsidyRings, knobs.subtleShare);
    for (const m of world.merchants) observePrices(world, m);
    const { users, merchants, userVariants, merchantVariants, devices, backgroundUsers, backgroundMerchants } = labels;
    return {
      index: spec.index,
      runs: sink.finish(),
      counts: sink.counts,
      claimsPerType: Object.fromEntries(world.claimsPerType),
      accounts: world.accounts,
      merchants: world.merchants.length,
      labels: { users, merchants, userVariants, merchantVariants, devices, backgroundUsers, backgroundMerchants },
      background,
    };
  }
}
