// Many accounts claiming from one /24 in a short window. Mobile carrier NAT puts honest people
// behind shared exits too, so the minimum must sit above what NAT pools show. Observed: distinct
// accounts in the range.
import { featureAtLeastRule } from '../feature-at-least.ts';

export default featureAtLeastRule({ id: 'bot.accounts_per_ip_range', version: 1, fraudType: 'bot_claiming', reason: 'BOT.IP_RANGE_CROWD', appliesTo: ['claim'], subject: 'user' });
