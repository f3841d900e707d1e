// DraftInput values built straight from the fixtures, for pure tests of gates and drafters.
import { DEFAULT_TEMPLATE_STEPS, DEMO_PLAYBOOK } from '../../demo/data.js';
import type { DraftInput } from '../../drafting/schema.js';
import { SCENES, type SceneFixture } from '../fixtures/drafting/scenes.js';
import { BOOKING_URL } from './builders.js';

export function inputFor(type: SceneFixture['type'], firstFactId = 101): DraftInput {
  const f = SCENES[type];
  return {
    signal: {
      id: 1,
      type,
      subtype: null,
      title: f.signal.title,
      summary: f.signal.summary,
      url: f.signal.url,
      facts: f.signal.facts ?? {},
    },
    account: { id: 1, name: f.account.name, domain: f.account.domain, aliases: [], country: f.account.country },
    contact: {
      id: 1,
      firstName: f.contact.first,
      lastName: f.contact.last,
      title: f.contact.title,
      email: `x@${f.account.domain}`,
    },
    sender: { name: 'Riley Rep', emails: ['riley@prospector-demo.example'], bookingUrl: BOOKING_URL },
    playbook: DEMO_PLAYBOOK,
    footer: {
      signature: 'Riley Rep\nProspector Demo Co',
      physicalAddress: 'Prospector Demo Co, 1 Example Street, Springfield',
    },
    organization: { name: f.account.name },
    facts: f.facts.map((x, i) => ({
      id: firstFactId + i,
      kind: x.kind,
      text: x.text,
      sourceUrl: x.sourceUrl,
      quote: x.quote,
      flags: [],
    })),
    steps: DEFAULT_TEMPLATE_STEPS,
  };
}
