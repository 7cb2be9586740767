// A shell shop's takings come from a few cards paying for many accounts. Observed: distinct
// accounts on the paying card; the merchant carries the hit.
import { featureAtLeastRule } from '../feature-at-least.ts';

export default featureAtLeastRule({ id: 'subsidy.shell_shared_cards', version: 1, fraudType: 'subsidy_fraud', reason: 'SUBSIDY.SHELL_SHARED_CARD', appliesTo: ['redemption'], subject: 'merchant' });
