// Request bodies of the issuance HTTP API, validated with zod at the edge. Ids that become Redis
// key parts are restricted to characters that cannot break a key's hash tag.
import { z } from 'zod';
import { category, CHANNELS, district, fen, isoTime, itemSchema } from '../core/events.ts';
import { campaignDefinitionSchema } from './campaign.ts';

export const keyId = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, { error: 'must be 1-128 letters, digits or _.:-' });

export const createCampaignBody = campaignDefinitionSchema.and(z.object({ campaignId: keyId }));

export const eligibilityBody = z
  .object({
    format: z.enum(['csv', 'json'], { error: 'must be csv or json' }).optional(),
    content: z.string({ error: 'must be the file content as a string' }).min(1, { error: 'must not be empty' }),
  })
  .strict();

const optionalClient = {
  deviceId: keyId.optional(),
  ip: z.string().regex(/^[0-9a-fA-F.:]{3,45}$/, { error: 'must be an IPv4 or IPv6 address' }).optional(),
  lat: z.number().min(-90).max(90).optional(),
  lon: z.number().min(-180).max(180).optional(),
};

export const claimBody = z
  .object({
    campaignId: keyId,
    couponTypeId: keyId,
    userId: keyId,
    idempotencyKey: keyId,
    channel: z.enum(CHANNELS, { error: `must be one of ${CHANNELS.join(', ')}` }),
    userAgent: z.string().max(512).optional(),
    accountCreatedAt: isoTime.optional(),
    ...optionalClient,
  })
  .strict();

export const redeemBody = z
  .object({
    campaignId: keyId,
    orderId: keyId,
    merchantId: keyId,
    userId: keyId,
    orderFen: fen,
    cardBin: z.string({ error: 'must be a string of digits' }).regex(/^\d{6,8}$/, { error: 'must be the first 6 to 8 digits of the card' }),
    couponId: keyId.optional(),
    terminalId: keyId.optional(),
    cardHash: z.string().regex(/^[0-9a-f]{16,128}$/, { error: 'must be a lowercase hex digest' }).optional(),
    items: z.array(itemSchema).max(200).optional(),
    ...optionalClient,
  })
  .strict();

export const refundBody = z
  .object({ refundId: keyId, orderId: keyId, merchantId: keyId, refundFen: fen })
  .strict();

export const merchantBody = z
  .object({
    merchantId: keyId,
    name: z.string().min(1).max(200),
    category,
    district,
    lat: z.number().min(-90).max(90),
    lon: z.number().min(-180).max(180),
    ownerIdHash: z.string().regex(/^[0-9a-f]{16,128}$/).optional(),
    settlementAccountHash: z.string().regex(/^[0-9a-f]{16,128}$/).optional(),
    terminalIds: z.array(keyId).max(100).optional(),
    active: z.boolean().optional(),
  })
  .strict();

export const ledgerQuery = z
  .object({
    merchantId: keyId.optional(),
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be YYYY-MM-DD' }).optional(),
    status: z.enum(['owed', 'held', 'clawed_back']).optional(),
  })
  .strict();
