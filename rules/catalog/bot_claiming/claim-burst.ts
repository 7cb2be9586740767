// One account claiming coupon after coupon within seconds: a script walking the coupon list.
// Observed: the account's claims in the feature's (short) window.
import { featureAtLeastRule } from '../feature-at-least.ts';

export default featureAtLeastRule({ id: 'bot.claim_burst', version: 1, fraudType: 'bot_claiming', reason: 'BOT.CLAIM_BURST', appliesTo: ['claim'], subject: 'user' });
