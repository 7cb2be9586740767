// The settlement view: what the program owes each merchant per day, and a reconciliation of the
// ledger against a payment channel's record of the same orders.
import { parseCsv } from './csv.ts';
import type { LedgerEntry } from './results.ts';

export interface DaySummary {
  merchantId: string;
  day: string;
  orders: number;
  owedFen: number;
  heldFen: number;
  clawedBackOrders: number;
  discountFen: number;
}

export function summarizeLedger(entries: LedgerEntry[]): DaySummary[] {
  const byKey = new Map<string, DaySummary>();
  for (const e of entries) {
    const k = `${e.merchantId}\n${e.day}`;
    let s = byKey.get(k);
    if (!s) byKey.set(k, (s = { merchantId: e.merchantId, day: e.day, orders: 0, owedFen: 0, heldFen: 0, clawedBackOrders: 0, discountFen: 0 }));
    s.orders++;
    s.discountFen += e.discountFen;
    if (e.status === 'owed') s.owedFen += e.subsidyFen;
    else if (e.status === 'held') s.heldFen += e.subsidyFen;
    else s.clawedBackOrders++;
  }
  return [...byKey.values()].sort((a, b) => a.merchantId.localeCompare(b.merchantId) || a.day.localeCompare(b.day));
}

export interface ChannelRow {
  line: number;
  orderId: string;
  paidFen: number;
  discountFen: number;
}

export interface ChannelParse {
  rows: ChannelRow[];
  problems: { line: number; reason: string }[];
}

/** The channel's CSV: a header with orderId, paid(Fen) and discount(Fen) columns, amounts in integer fen. */
export function parseChannelCsv(text: string): ChannelParse {
  const records = parseCsv(text);
  const header = records.shift();
  if (!header) return { rows: [], problems: [{ line: 1, reason: 'file is empty' }] };
  const norm = header.fields.map((h) => h.trim().toLowerCase().replace(/[\s_]/g, ''));
  const col = (...names: string[]) => norm.findIndex((h) => names.includes(h));
  const oi = col('orderid', 'order'), pi = col('paidfen', 'paid'), di = col('discountfen', 'discount');
  if (oi < 0 || pi < 0 || di < 0) return { rows: [], problems: [{ line: header.line, reason: 'header needs orderId, paid and discount columns' }] };
  const rows: ChannelRow[] = [];
  const problems: ChannelParse['problems'] = [];
  for (const r of records) {
    const orderId = r.fields[oi]?.trim() ?? '';
    const paid = r.fields[pi]?.trim() ?? '';
    const discount = r.fields[di]?.trim() ?? '';
    if (!orderId) problems.push({ line: r.line, reason: 'orderId is empty' });
    else if (!/^\d+$/.test(paid)) problems.push({ line: r.line, reason: 'paid must be a non-negative integer number of fen' });
    else if (!/^\d+$/.test(discount)) problems.push({ line: r.line, reason: 'discount must be a non-negative integer number of fen' });
    else rows.push({ line: r.line, orderId, paidFen: Number(paid), discountFen: Number(discount) });
  }
  return { rows, problems };
}

export interface Reconciliation {
  matched: number;
  /** In the ledger, absent from the channel. */
  missing: { orderId: string; merchantId: string; paidFen: number; discountFen: number }[];
  /** In the channel, absent from the ledger. */
  extra: { orderId: string; line: number; paidFen: number; discountFen: number }[];
  differing: { orderId: string; field: 'paidFen' | 'discountFen'; ledger: number; channel: number }[];
}

/** The channel reports what the customer paid net of refunds and the discount granted at checkout. */
export function reconcile(ledger: LedgerEntry[], channel: ChannelRow[]): Reconciliation {
  const byOrder = new Map(ledger.map((e) => [e.orderId, e]));
  const seen = new Set<string>();
  const out: Reconciliation = { matched: 0, missing: [], extra: [], differing: [] };
  for (const row of channel) {
    const e = byOrder.get(row.orderId);
    if (!e) {
      out.extra.push({ orderId: row.orderId, line: row.line, paidFen: row.paidFen, discountFen: row.discountFen });
      continue;
    }
    seen.add(row.orderId);
    const paid = e.paidFen - e.refundedFen;
    let same = true;
    if (paid !== row.paidFen) {
      out.differing.push({ orderId: row.orderId, field: 'paidFen', ledger: paid, channel: row.paidFen });
      same = false;
    }
    if (e.discountFen !== row.discountFen) {
      out.differing.push({ orderId: row.orderId, field: 'discountFen', ledger: e.discountFen, channel: row.discountFen });
      same = false;
    }
    if (same) out.matched++;
  }
  for (const e of ledger) if (!seen.has(e.orderId)) out.missing.push({ orderId: e.orderId, merchantId: e.merchantId, paidFen: e.paidFen - e.refundedFen, discountFen: e.discountFen });
  return out;
}
