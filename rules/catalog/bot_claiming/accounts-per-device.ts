// Account farms rotate many accounts through a few phones or emulators. Observed: distinct
// accounts seen on the claim's device in the window.
import { featureAtLeastRule } from '../feature-at-least.ts';

export default featureAtLeastRule({ id: 'bot.accounts_per_device', version: 1, fraudType: 'bot_claiming', reason: 'BOT.DEVICE_SHARED', appliesTo: ['claim'], subject: 'user' });
