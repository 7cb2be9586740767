// Every rule the engine knows, by id. A rule set names rules by id and version; the engine refuses
// to start when one is missing here or has another version.
import type { RuleDefinition } from './types.ts';
import accountsPerDevice from './catalog/bot_claiming/accounts-per-device.ts';
import accountsPerIpRange from './catalog/bot_claiming/accounts-per-ip-range.ts';
import accountsPerPhone from './catalog/bot_claiming/accounts-per-phone.ts';
import automationUserAgent from './catalog/bot_claiming/automation-user-agent.ts';
import claimBurst from './catalog/bot_claiming/claim-burst.ts';
import claimLatency from './catalog/bot_claiming/claim-latency.ts';
import hostingIp from './catalog/bot_claiming/hosting-ip.ts';
import ipLocationMismatch from './catalog/bot_claiming/ip-location-mismatch.ts';
import newAccount from './catalog/bot_claiming/new-account.ts';
import outsideCity from './catalog/bot_claiming/outside-city.ts';
import cardManyAccounts from './catalog/cash_out/card-many-accounts.ts';
import cardAcrossHouseholds from './catalog/cash_out/card-across-households.ts';
import lateHour from './catalog/cash_out/late-hour.ts';
import payerFar from './catalog/cash_out/payer-far.ts';
import refundAfterRedemption from './catalog/cash_out/refund-after-redemption.ts';
import repeatedAmount from './catalog/cash_out/repeated-amount.ts';
import samePairRepeat from './catalog/cash_out/same-pair-repeat.ts';
import shareAbovePeers from './catalog/cash_out/share-above-peers.ts';
import thresholdHugging from './catalog/cash_out/threshold-hugging.ts';
import couponsAtOneMerchant from './catalog/hoarding/coupons-at-one-merchant.ts';
import resellableQuantity from './catalog/hoarding/resellable-quantity.ts';
import resellableSome from './catalog/hoarding/resellable-some.ts';
import aboveBaseline from './catalog/price_gouging/above-baseline.ts';
import abovePeers from './catalog/price_gouging/above-peers.ts';
import subsidyCardManyAccounts from './catalog/subsidy_fraud/card-many-accounts.ts';
import deviceManyAccounts from './catalog/subsidy_fraud/device-many-accounts.ts';
import idManyAccounts from './catalog/subsidy_fraud/id-many-accounts.ts';
import merchantRegisteredLate from './catalog/subsidy_fraud/merchant-registered-late.ts';
import phoneManyAccounts from './catalog/subsidy_fraud/phone-many-accounts.ts';
import splitOrders from './catalog/subsidy_fraud/split-orders.ts';
import ownerRedeems from './catalog/subsidy_fraud/owner-redeems.ts';
import shellSharedCards from './catalog/subsidy_fraud/shell-shared-cards.ts';
import linkedPayers from './catalog/subsidy_fraud/linked-payers.ts';
import merchantModelRisk from './catalog/cash_out/merchant-model-risk.ts';
import modelRingMember from './catalog/bot_claiming/model-ring-member.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = RuleDefinition<any>;

export const RULES: readonly AnyRule[] = [
  claimLatency, claimBurst, accountsPerDevice, accountsPerIpRange, accountsPerPhone, newAccount, automationUserAgent, outsideCity, hostingIp, ipLocationMismatch,
  thresholdHugging, repeatedAmount, cardManyAccounts, payerFar, lateHour, refundAfterRedemption, samePairRepeat, shareAbovePeers, cardAcrossHouseholds,
  resellableQuantity, resellableSome, couponsAtOneMerchant,
  idManyAccounts, phoneManyAccounts, deviceManyAccounts, subsidyCardManyAccounts, splitOrders, merchantRegisteredLate, ownerRedeems, shellSharedCards, linkedPayers,
  aboveBaseline, abovePeers,
  // Model scores as features (rules/reference/model-scores.ts): no_hit until a model run is published.
  merchantModelRisk, modelRingMember,
];

export type RuleRegistry = ReadonlyMap<string, AnyRule>;

export function createRegistry(rules: readonly AnyRule[] = RULES): RuleRegistry {
  const m = new Map<string, AnyRule>();
  for (const r of rules) {
    if (m.has(r.id)) throw new Error(`rules: two rules share the id "${r.id}"`);
    m.set(r.id, r);
  }
  return m;
}
