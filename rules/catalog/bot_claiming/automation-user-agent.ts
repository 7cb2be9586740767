// HTTP libraries, headless browsers and emulator defaults announce themselves in the user agent;
// a real app's web view does not. Patterns are data. Observed: 1 when a pattern matched.
import { z } from 'zod';
import type { Claim } from '../../../core/events.ts';
import { defineRule, hit, noHit } from '../../types.ts';

const compiled = new WeakMap<string[], RegExp>();

export default defineRule({
  id: 'bot.automation_user_agent',
  version: 1,
  fraudType: 'bot_claiming',
  reason: 'BOT.AUTOMATION_UA',
  appliesTo: ['claim'],
  subject: 'user',
  configSchema: z.object({ patterns: z.array(z.string().min(1)).min(1) }),
  features: () => [],
  evaluate(e, _f, c) {
    const ua = (e as Claim).userAgent;
    if (ua === undefined) return noHit(null);
    let re = compiled.get(c.patterns);
    if (!re) compiled.set(c.patterns, (re = new RegExp(c.patterns.join('|'), 'i')));
    return re.test(ua) ? hit('BOT.AUTOMATION_UA', 1) : noHit(0);
  },
});
