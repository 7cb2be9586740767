// Entity-level scoring of flags against labels.
//
// How flags count:
// - The unit is an entity: a user or a merchant. A `ring` flag counts once for each member; a
//   member id is a user or merchant (labels decide; otherwise the `mch_` prefix means merchant,
//   and a `dev_` member is scored with the devices).
// - For fraud type T: an entity flagged T and labelled T is a true positive; flagged T but not
//   labelled T is a false positive for T (this includes a fraudster of another type: a wrong type
//   is a wrong answer); labelled T and never flagged T is a false negative for T, whatever else it
//   was flagged with. Flagging one entity several times with T counts once.
// - "any_fraud" ignores the type: flagged at all vs labelled at all.
// - "micro" sums TP/FP/FN over the five types; "macro_f1" averages the per-type F1 of the types
//   that have labels.
// - The false-positive rate is over legitimate entities: those flagged with any type divided by all
//   legitimate ones, simulated and background (Tianchi) separately; totals come from
//   labels.population, so without it only counts are given.
// - Device flags are scored on their own against labels.devices when present, and never enter the
//   user/merchant figures.
import { z } from 'zod';
import { FRAUD_TYPES, type FraudType } from '../core/events.ts';
import type { Labels, Variant } from './labels.ts';

const fraudType = z.enum(FRAUD_TYPES, { error: `must be one of ${FRAUD_TYPES.join(', ')}` });

export const flagsFileSchema = z.object({
  flags: z.array(
    z.object({
      entityType: z.enum(['user', 'merchant', 'device', 'ring'], { error: 'must be user, merchant, device or ring' }),
      entityId: z.string().min(1, { error: 'must not be empty' }),
      fraudType,
      score: z.number({ error: 'must be a number' }),
      reasons: z.array(z.string()),
      members: z.array(z.string().min(1)).optional(),
    }),
  ),
});

export const labelsFileSchema = z.object({
  users: z.record(z.string(), fraudType),
  merchants: z.record(z.string(), fraudType),
  variants: z.object({ users: z.record(z.string(), z.enum(['blatant', 'subtle'])), merchants: z.record(z.string(), z.enum(['blatant', 'subtle'])) }).optional(),
  devices: z.record(z.string(), fraudType).optional(),
  background: z.object({ users: z.array(z.string()), merchants: z.array(z.string()) }).optional(),
  population: z.object({ users: z.number().int().nonnegative(), merchants: z.number().int().nonnegative() }).optional(),
});

export type FlagsFile = z.infer<typeof flagsFileSchema>;

export interface ScoreRow {
  fraudType: FraudType | 'any_fraud' | 'micro';
  labelled: number;
  flagged: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface FalsePositiveRate {
  flagged: number;
  total: number | null;
  rate: number | null;
  users: { flagged: number; total: number | null };
  merchants: { flagged: number; total: number | null };
}

export interface EvalReport {
  rows: ScoreRow[];
  macroF1: number | null;
  /** Recall per fraud type and variant (how subtle cases fare). */
  byVariant: { fraudType: FraudType; variant: Variant; labelled: number; caught: number; recall: number | null }[];
  falsePositiveRate: { simulated: FalsePositiveRate; background: FalsePositiveRate };
  /** Fraudulent entities flagged, but never with their own type. */
  wrongTypeOnly: number;
  devices: ScoreRow | null;
  flags: { total: number; ring: number; device: number; entitiesFlagged: number };
}

type Kind = 'user' | 'merchant';

export function evaluate(labelsInput: unknown, flagsInput: unknown): EvalReport {
  const labels = parseOrThrow(labelsFileSchema, labelsInput, 'labels') as Labels;
  const { flags } = parseOrThrow(flagsFileSchema, flagsInput, 'flags');
  const truth = new Map<string, FraudType>();
  for (const [id, t] of Object.entries(labels.users)) truth.set(`user:${id}`, t);
  for (const [id, t] of Object.entries(labels.merchants)) truth.set(`merchant:${id}`, t);
  const bgUsers = new Set(labels.background?.users ?? []);
  const bgMerchants = new Set(labels.background?.merchants ?? []);
  const kindOf = (id: string): Kind =>
    id in labels.merchants || bgMerchants.has(id) ? 'merchant' : id in labels.users || bgUsers.has(id) ? 'user' : id.startsWith('mch_') ? 'merchant' : 'user';

  const flagged = new Map<string, Set<FraudType>>();
  const deviceFlags = new Map<string, Set<FraudType>>();
  const mark = (key: string, t: FraudType, into = flagged) => {
    let s = into.get(key);
    if (!s) into.set(key, (s = new Set()));
    s.add(t);
  };
  for (const f of flags) {
    if (f.entityType === 'device') mark(f.entityId, f.fraudType, deviceFlags);
    else if (f.entityType === 'ring')
      // A ring may list the phones it shares; those are scored as devices, not as users.
      for (const id of f.members ?? []) {
        if (id.startsWith('dev_')) mark(id, f.fraudType, deviceFlags);
        else mark(`${kindOf(id)}:${id}`, f.fraudType);
      }
    else mark(`${f.entityType}:${f.entityId}`, f.fraudType);
  }

  const rows: ScoreRow[] = FRAUD_TYPES.map((t) => {
    let labelled = 0, tp = 0, fp = 0;
    for (const v of truth.values()) if (v === t) labelled++;
    for (const [key, types] of flagged) if (types.has(t)) truth.get(key) === t ? tp++ : fp++;
    return score(t, labelled, tp, fp);
  });
  const micro = rows.reduce((acc, r) => ({ tp: acc.tp + r.tp, fp: acc.fp + r.fp, labelled: acc.labelled + r.labelled }), { tp: 0, fp: 0, labelled: 0 });
  let anyTp = 0, anyFp = 0, wrongTypeOnly = 0;
  for (const [key, types] of flagged) {
    const t = truth.get(key);
    if (t) {
      anyTp++;
      if (!types.has(t)) wrongTypeOnly++;
    } else anyFp++;
  }
  rows.push(score('any_fraud', truth.size, anyTp, anyFp), score('micro', micro.labelled, micro.tp, micro.fp));
  const typed = rows.slice(0, FRAUD_TYPES.length).filter((r) => r.labelled > 0);
  const macroF1 = typed.length ? typed.reduce((s, r) => s + (r.f1 ?? 0), 0) / typed.length : null;

  const byVariant: EvalReport['byVariant'] = [];
  for (const t of FRAUD_TYPES)
    for (const variant of ['blatant', 'subtle'] as const) {
      let labelled = 0, caught = 0;
      for (const [kind, table] of [['user', labels.variants?.users ?? {}], ['merchant', labels.variants?.merchants ?? {}]] as const)
        for (const [id, v] of Object.entries(table)) {
          if (v !== variant || truth.get(`${kind}:${id}`) !== t) continue;
          labelled++;
          if (flagged.get(`${kind}:${id}`)?.has(t)) caught++;
        }
      if (labelled) byVariant.push({ fraudType: t, variant, labelled, caught, recall: caught / labelled });
    }

  const fpr = (isBackground: boolean): FalsePositiveRate => {
    const count = { user: 0, merchant: 0 };
    for (const key of flagged.keys()) {
      if (truth.has(key)) continue;
      const [kind, id] = split(key);
      const bg = kind === 'user' ? bgUsers.has(id) : bgMerchants.has(id);
      if (bg === isBackground) count[kind]++;
    }
    const fraudUsers = Object.keys(labels.users).length, fraudMerchants = Object.keys(labels.merchants).length;
    const users = isBackground ? bgUsers.size : labels.population ? labels.population.users - fraudUsers - bgUsers.size : null;
    const merchants = isBackground ? bgMerchants.size : labels.population ? labels.population.merchants - fraudMerchants - bgMerchants.size : null;
    const total = users === null || merchants === null ? null : users + merchants;
    const n = count.user + count.merchant;
    return { flagged: n, total, rate: total ? n / total : null, users: { flagged: count.user, total: users }, merchants: { flagged: count.merchant, total: merchants } };
  };

  let devices: ScoreRow | null = null;
  if (labels.devices) {
    const t = labels.devices;
    let tp = 0, fp = 0;
    for (const [id, types] of deviceFlags) for (const ft of types) t[id] === ft ? tp++ : fp++;
    devices = score('any_fraud', Object.keys(t).length, tp, fp);
  }

  return {
    rows,
    macroF1,
    byVariant,
    falsePositiveRate: { simulated: fpr(false), background: fpr(true) },
    wrongTypeOnly,
    devices,
    flags: { total: flags.length, ring: flags.filter((f) => f.entityType === 'ring').length, device: flags.filter((f) => f.entityType === 'device').length, entitiesFlagged: flagged.size },
  };
}

function score(fraudType: ScoreRow['fraudType'], labelled: number, tp: number, fp: number): ScoreRow {
  const fn = labelled - tp;
  const precision = tp + fp > 0 ? tp / (tp + fp) : null;
  const recall = labelled > 0 ? tp / labelled : null;
  const f1 = precision === null || recall === null ? null : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { fraudType, labelled, flagged: tp + fp, tp, fp, fn, precision, recall, f1 };
}

function split(key: string): [Kind, string] {
  const i = key.indexOf(':');
  return [key.slice(0, i) as Kind, key.slice(i + 1)];
}

function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new Error(`eval: ${what}.${issue.path.join('.') || '(root)'} ${issue.message}`);
}

/** The report as a fixed-width table for a terminal. */
export function formatReport(r: EvalReport): string {
  const pct = (v: number | null) => (v === null ? '     —' : `${(v * 100).toFixed(1).padStart(5)}%`);
  const lines = [
    `${'fraud type'.padEnd(15)} ${'labelled'.padStart(8)} ${'flagged'.padStart(8)} ${'TP'.padStart(6)} ${'FP'.padStart(6)} ${'FN'.padStart(6)}  precision  recall      F1`,
  ];
  for (const row of r.rows)
    lines.push(
      `${row.fraudType.padEnd(15)} ${String(row.labelled).padStart(8)} ${String(row.flagged).padStart(8)} ${String(row.tp).padStart(6)} ${String(row.fp).padStart(6)} ${String(row.fn).padStart(6)}     ${pct(row.precision)}  ${pct(row.recall)}  ${pct(row.f1)}`,
    );
  lines.push(`macro F1 over labelled types: ${pct(r.macroF1)}`);
  if (r.byVariant.length) lines.push('recall by variant: ' + r.byVariant.map((v) => `${v.fraudType}/${v.variant} ${v.caught}/${v.labelled}`).join(', '));
  for (const [name, f] of Object.entries(r.falsePositiveRate))
    lines.push(`false-positive rate, ${name} legitimate: ${f.flagged}/${f.total ?? '?'} = ${pct(f.rate)} (users ${f.users.flagged}/${f.users.total ?? '?'}, merchants ${f.merchants.flagged}/${f.merchants.total ?? '?'})`);
  lines.push(`fraudulent entities flagged only with a wrong type: ${r.wrongTypeOnly}`);
  if (r.devices) lines.push(`devices: ${r.devices.tp} TP, ${r.devices.fp} FP of ${r.devices.labelled} labelled (precision ${pct(r.devices.precision)}, recall ${pct(r.devices.recall)})`);
  lines.push(`flags read: ${r.flags.total} (${r.flags.ring} rings, ${r.flags.device} devices) → ${r.flags.entitiesFlagged} users/merchants flagged`);
  return lines.join('\n') + '\n';
}
