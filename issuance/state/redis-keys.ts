// Key layout. Every key of a campaign carries the campaign id as a hash tag, `{cmp_…}`, so one
// campaign lives in one cluster slot and its scripts may touch all of its keys. The prefix keeps
// tests and benchmarks apart on a shared Redis; it must not contain braces.
export class RedisKeys {
  constructor(readonly prefix: string) {
    if (/[{}]/.test(prefix)) throw new Error('redis store: key prefix must not contain { or }');
  }
  campaign(id: string): string {
    return `${this.prefix}{${id}}:`;
  }
  /** Claim parameters, stock, budget, and the per-account and per-person fields the claim script reads (see lua/claim.lua). */
  conf(id: string): string {
    return `${this.campaign(id)}c`;
  }
  definition(id: string): string {
    return `${this.campaign(id)}def`;
  }
  blocked(id: string): string {
    return `${this.campaign(id)}blocked`;
  }
  wallet(id: string, userId: string): string {
    return `${this.campaign(id)}w:${userId}`;
  }
  order(id: string, orderId: string): string {
    return `${this.campaign(id)}ord:${orderId}`;
  }
  refund(id: string, refundId: string): string {
    return `${this.campaign(id)}rfd:${refundId}`;
  }
  orders(id: string): string {
    return `${this.campaign(id)}orders`;
  }
  merchantOrders(id: string, merchantId: string): string {
    return `${this.campaign(id)}mo:${merchantId}`;
  }
  outbox(id: string): string {
    return `${this.campaign(id)}ox`;
  }
  get campaigns(): string {
    return `${this.prefix}campaigns`;
  }
  get merchants(): string {
    return `${this.prefix}merchants`;
  }
  get blockedUsers(): string {
    return `${this.prefix}blocked-users`;
  }
  get orderIndex(): string {
    return `${this.prefix}order-campaign`;
  }
  get globalOutbox(): string {
    return `${this.prefix}ox:global`;
  }
}
