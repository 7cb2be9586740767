// The partition key of a raw line, before it is validated: the same entity as core partitionKey()
// for a well-formed event (so one user's and one merchant's events keep their order), and a stable
// fallback for anything else (a malformed line still needs a key to travel to the dead-letter path).
import { createHash } from 'node:crypto';

const KEY_FIELD: Record<string, string> = {
  'campaign.published': 'campaignId',
  'merchant.registered': 'merchantId',
  'price.observed': 'merchantId',
  'eligibility.granted': 'userId',
  claim: 'userId',
  redemption: 'merchantId',
  refund: 'merchantId',
};

export function keyOfLine(line: string): string {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return fallback(line);
  }
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const r = raw as Record<string, unknown>;
    const field = typeof r.type === 'string' ? KEY_FIELD[r.type] : undefined;
    const value = field ? r[field] : undefined;
    if (typeof value === 'string' && value.length > 0 && value.length <= 128) return value;
  }
  return fallback(line);
}

function fallback(line: string): string {
  return `raw_${createHash('sha1').update(line).digest('hex').slice(0, 16)}`;
}
