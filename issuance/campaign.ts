// A campaign definition: the contract's `campaign.published` body plus the optional extensions the
// issuance core needs. Validated once at creation; immutable once published, so services may cache it.
import { z } from 'zod';
import { campaignPublishedSchema, epochMs, type Batch, type CampaignPublished, type CouponType } from '../core/events.ts';

/**
 * Card BIN prefixes accepted when a campaign does not list its own: UnionPay's 62 range and the
 * debit BINs of the large domestic banks (ICBC, ABC, BOC, CCB, BoCom, CMB, PSBC). The bank BINs sit
 * inside 62 already; they are listed so an operator trimming the list sees what each prefix is. A campaign
 * overrides this with `cardBins`.
 */
export const DEFAULT_CARD_BINS: readonly string[] = ['62', '622202', '622848', '621661', '621700', '622262', '622588', '621799'];

export const campaignDefinitionSchema = campaignPublishedSchema
  .omit({ eventId: true, occurredAt: true, type: true })
  .extend({
    // The contract allows 4-8 digit BINs; the bare UnionPay prefix `62` is also accepted here.
    cardBins: z.array(z.string().regex(/^\d{2,8}$/, { error: 'must be 2 to 8 digits' })).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (epochMs(c.endsAt) <= epochMs(c.startsAt)) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
    const batchIds = new Set<string>();
    const typeIds = new Set<string>();
    c.batches.forEach((b, i) => {
      if (batchIds.has(b.batchId)) ctx.addIssue({ code: 'custom', path: ['batches', i, 'batchId'], message: 'is used twice' });
      batchIds.add(b.batchId);
      if (epochMs(b.validUntil) <= epochMs(b.dropAt)) ctx.addIssue({ code: 'custom', path: ['batches', i, 'validUntil'], message: 'must be after dropAt' });
      b.coupons.forEach((t, j) => {
        if (typeIds.has(t.couponTypeId)) ctx.addIssue({ code: 'custom', path: ['batches', i, 'coupons', j, 'couponTypeId'], message: 'is used twice in the campaign' });
        typeIds.add(t.couponTypeId);
        if (t.discountFen <= 0) ctx.addIssue({ code: 'custom', path: ['batches', i, 'coupons', j, 'discountFen'], message: 'must be positive' });
        if (t.kind !== 'no_threshold' && t.thresholdFen < t.discountFen)
          ctx.addIssue({ code: 'custom', path: ['batches', i, 'coupons', j, 'thresholdFen'], message: 'must be at least discountFen' });
        if (t.kind === 'no_threshold' && t.thresholdFen !== 0)
          ctx.addIssue({ code: 'custom', path: ['batches', i, 'coupons', j, 'thresholdFen'], message: 'must be 0 for a no_threshold coupon' });
      });
    });
    if (c.batches.length === 0) ctx.addIssue({ code: 'custom', path: ['batches'], message: 'needs at least one batch' });
  });

export type CampaignDefinition = z.infer<typeof campaignDefinitionSchema>;
export type CampaignStatus = 'draft' | 'published';

export interface StoredCampaign {
  definition: CampaignDefinition;
  status: CampaignStatus;
}

export interface CouponTypeInfo {
  type: CouponType;
  batch: Batch;
  /** Claims are open from max(dropAt, startsAt) until min(validUntil, endsAt). */
  claimFromMs: number;
  claimUntilMs: number;
  validFromMs: number;
  validUntilMs: number;
}

export function couponTypeInfo(c: CampaignDefinition, couponTypeId: string): CouponTypeInfo | undefined {
  for (const batch of c.batches) {
    const type = batch.coupons.find((t) => t.couponTypeId === couponTypeId);
    if (!type) continue;
    const validFromMs = epochMs(batch.dropAt);
    const validUntilMs = epochMs(batch.validUntil);
    return {
      type,
      batch,
      claimFromMs: Math.max(validFromMs, epochMs(c.startsAt)),
      claimUntilMs: Math.min(validUntilMs, epochMs(c.endsAt)),
      validFromMs,
      validUntilMs,
    };
  }
  return undefined;
}

export function claimTerms(c: CampaignDefinition, info: CouponTypeInfo): { discountFen: number; claimFromMs: number; claimUntilMs: number; limits: CampaignDefinition['limits'] } {
  return { discountFen: info.type.discountFen, claimFromMs: info.claimFromMs, claimUntilMs: info.claimUntilMs, limits: c.limits };
}

export function allCouponTypes(c: CampaignDefinition): CouponTypeInfo[] {
  return c.batches.flatMap((b) => b.coupons.map((t) => couponTypeInfo(c, t.couponTypeId)!));
}

export function acceptedBins(c: CampaignDefinition): readonly string[] {
  return c.cardBins ?? DEFAULT_CARD_BINS;
}

export function toPublishedEvent(c: CampaignDefinition, eventId: string, occurredAt: string): CampaignPublished {
  return campaignPublishedSchema.parse({ ...c, cardBins: c.cardBins?.filter((b) => b.length >= 4), eventId, occurredAt, type: 'campaign.published' });
}
