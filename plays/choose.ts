// Who at the account hears about a signal: the play whose trigger fires picks contacts by its
// personas, skipping anyone suppressed, bounced, unsubscribed, already in a sequence or
// contacted within the cooldown, and anyone whose address cannot take mail.
import type { Queryable } from '../db/index.js';
import { run } from '../db/index.js';
import { listPlays, markUndeliverable, playCandidates, type PlayRow } from '../db/queries/plays.js';
import { crmHoldOut } from '../crm/guards.js';
import { checkAddress, systemMx, type MxResolver } from './address-check.js';

export type { MxResolver };
import { Persona, rankCandidates, seniorityOf } from './personas.js';
import { Limits, Trigger, triggerMatches } from './schema.js';

export interface SignalForPlay {
  id: number;
  workspace_id: number;
  account_id: number | null;
  contact_id: number | null;
  type: string;
  subtype: string | null;
  facts: Record<string, unknown>;
  play_id?: number | null;
  target_contact_ids?: number[] | null;
}

interface ChosenContact {
  id: number;
  persona: string | null;
  startAfterHours: number;
}
interface ContactChoice {
  play: PlayRow | null;
  contacts: ChosenContact[];
  /** Contacts looked at and not used, with why: shown to the rep. */
  skipped: { id: number; reason: string }[];
  /** Set when nothing should start: no enabled play fires for this signal. */
  noPlay?: string;
}

// Reserved names (RFC 2606/6761) never have mail servers: the demo and tests use them.
const RESERVED = /\.(example|test|invalid|localhost)$/i;

export function playFires(play: PlayRow, signal: SignalForPlay): boolean {
  const t = Trigger.safeParse(play.trigger);
  return t.success && triggerMatches(t.data, signal);
}

export async function choosePlayContacts(
  db: Queryable,
  signal: SignalForPlay,
  opts: { resolveMx?: MxResolver; verifyMx?: boolean } = {},
): Promise<ContactChoice> {
  const plays = await run(db, listPlays(signal.workspace_id));
  let play: PlayRow | null = null;
  if (signal.play_id) play = plays.find((p) => p.id === signal.play_id) ?? null;
  else if (plays.length) {
    play = plays.find((p) => p.enabled && playFires(p, signal)) ?? null;
    if (!play)
      return {
        play: null,
        contacts: [],
        skipped: [],
        noPlay: `no enabled play fires for a ${signal.type}${signal.subtype ? ` (${signal.subtype})` : ''} signal`,
      };
  }
  const limits = Limits.parse(play?.limits ?? {});
  const personas = play ? Persona.array().parse(play.personas ?? []) : [];
  if (!signal.account_id) return { play, contacts: [], skipped: [] };

  // The people a rep picked, or the person who changed jobs, are the contacts; otherwise the personas choose.
  const explicit = signal.target_contact_ids?.length
    ? signal.target_contact_ids
    : signal.contact_id
      ? [signal.contact_id]
      : null;
  const rows = await run(
    db,
    playCandidates(signal.workspace_id, signal.account_id, limits.contactCooldownDays, explicit),
  );
  // The CRM's rules (a customer, an open deal, deleted there) hold the whole account out, with the reason.
  const heldOut = await crmHoldOut(db, signal.workspace_id, signal.account_id);
  if (heldOut) for (const r of rows) r.excluded ??= heldOut;
  const skipped = rows.filter((r) => r.excluded).map((r) => ({ id: r.id, reason: r.excluded! }));
  const usable = rows.filter((r) => !r.excluded);
  let ordered: { id: number; email: string; persona: string | null }[];
  if (explicit) ordered = usable.map((r) => ({ id: r.id, email: r.email, persona: null }));
  else if (personas.length) {
    const ranked = rankCandidates(
      usable.map((r) => ({ id: r.id, title: r.title, isChampion: r.is_champion, engagement: r.engagement })),
      personas,
    );
    const byId = new Map(usable.map((r) => [r.id, r]));
    ordered = ranked.map((r) => ({ id: r.id, email: byId.get(r.id)!.email, persona: r.persona }));
    for (const r of usable)
      if (!ranked.some((x) => x.id === r.id)) skipped.push({ id: r.id, reason: "matches none of the play's personas" });
  } else {
    const rank = ['c_level', 'vp', 'head', 'director', 'manager', 'individual'];
    ordered = [...usable]
      .sort(
        (a, b) =>
          rank.indexOf(seniorityOf(a.title)) - rank.indexOf(seniorityOf(b.title)) ||
          Number(b.is_champion) - Number(a.is_champion) ||
          a.id - b.id,
      )
      .map((r) => ({ id: r.id, email: r.email, persona: null }));
  }
  const max = explicit ? Math.max(explicit.length, 1) : limits.maxContactsPerAccount;
  const contacts: ChosenContact[] = [];
  for (const c of ordered) {
    if (contacts.length >= max) break;
    const domain = c.email.split('@')[1] ?? '';
    if (opts.verifyMx !== false && !RESERVED.test(domain)) {
      const verdict = await checkAddress(c.email, opts.resolveMx ?? systemMx);
      if (!verdict.ok && !verdict.temporary) {
        await run(db, markUndeliverable(c.id, verdict.reason));
        skipped.push({ id: c.id, reason: verdict.reason });
        continue;
      }
    }
    contacts.push({ id: c.id, persona: c.persona, startAfterHours: contacts.length * limits.staggerHours });
  }
  return { play, contacts, skipped };
}
