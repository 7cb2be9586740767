// One phone number (hashed) behind several claiming accounts: SMS-verification farms recycle
// numbers. Only the hash travels, so number ranges (virtual-operator prefixes) are not visible
// here. Observed: distinct accounts per phone hash.
import { featureAtLeastRule } from '../feature-at-least.ts';

export default featureAtLeastRule({ id: 'bot.accounts_per_phone', version: 1, fraudType: 'bot_claiming', reason: 'BOT.PHONE_SHARED', appliesTo: ['claim'], subject: 'user' });
