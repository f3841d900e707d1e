// `prospector play list|show` and `prospector enroll --play ID --contact EMAIL`.
import type { Command } from 'commander';
import { researchEnqueuer } from '../agents/signal-jobs.js';
import { one, run } from '../db/index.js';
import { findContactByEmail } from '../db/queries/contacts.js';
import { findPlay, listPlays, listPlayVersions } from '../db/queries/plays.js';
import { isAppError } from '../errors.js';
import { enrollContacts } from '../plays/enroll.js';
import { personaLines } from '../plays/persona-lines.js';
import { Trigger } from '../plays/schema.js';
import { toDefinition } from '../plays/service.js';
import { ensureWorkspace } from '../review-ui/auth/users.js';
import { openContext } from './context.js';
import { textTable } from './table.js';

async function withWorkspace<T>(
  boss: boolean,
  fn: (ctx: Awaited<ReturnType<typeof openContext>>, workspaceId: number) => Promise<T>,
): Promise<T | undefined> {
  const ctx = await openContext({ boss });
  try {
    return await fn(ctx, (await ensureWorkspace(ctx.db)).id);
  } catch (err) {
    if (isAppError(err)) {
      process.stderr.write(`prospector: ${err.message}\n`);
      process.exitCode = 1;
      return undefined;
    }
    throw err;
  } finally {
    await ctx.stop();
  }
}

/** A trigger in words: "signal funding (series_a or later)", "inbound trial_signup", "manual". */
function triggerText(t: unknown): string {
  const tr = Trigger.safeParse(t);
  if (!tr.success) return JSON.stringify(t);
  const v = tr.data;
  if (v.kind !== 'signal') return v.kind === 'inbound' ? `inbound ${v.event}` : 'manual';
  const bits = [
    v.subtypes.length ? v.subtypes.join('/') : '',
    v.minRound ? `${v.minRound} or later` : '',
    v.roleKeywords.length ? `roles: ${v.roleKeywords.join(', ')}` : '',
    v.champion === undefined ? '' : v.champion ? 'champion' : 'not a champion',
    v.acquisitionRoles.length ? `account: ${v.acquisitionRoles.join('/')}` : '',
  ].filter(Boolean);
  return `signal ${v.signalType}${bits.length ? ` (${bits.join('; ')})` : ''}`;
}

export function registerPlayCommands(program: Command): void {
  const play = program.command('play').description('Plays: which trigger reaches whom, with which sequence.');
  play
    .command('list')
    .description('List plays with their triggers.')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) =>
      withWorkspace(false, async (ctx, ws) => {
        const plays = await run(ctx.db, listPlays(ws));
        if (o.json)
          return void process.stdout.write(
            JSON.stringify(
              plays.map((p) => ({ id: p.id, version: p.version, ...toDefinition(p) })),
              null,
              2,
            ) + '\n',
          );
        process.stdout.write(
          textTable(
            ['ID', 'STATE', 'VERSION', 'NAME', 'TRIGGER'],
            plays.map((p) => [String(p.id), p.enabled ? 'on' : 'off', `v${p.version}`, p.name, triggerText(p.trigger)]),
          ),
        );
      }),
    );
  play
    .command('show')
    .description('Show one play: trigger, personas, limits and versions.')
    .argument('<id>', 'play id')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) =>
      withWorkspace(false, async (ctx, ws) => {
        const p = await one(ctx.db, findPlay(ws, Number(id)));
        if (!p) {
          process.stderr.write(`prospector: no play ${id}\n`);
          process.exitCode = 1;
          return;
        }
        const d = toDefinition(p);
        const versions = await run(ctx.db, listPlayVersions(p.id));
        if (o.json)
          return void process.stdout.write(
            JSON.stringify({ id: p.id, version: p.version, ...d, versions }, null, 2) + '\n',
          );
        process.stdout.write(
          [
            `${p.name} (play ${p.id}, version ${p.version}, ${p.enabled ? 'enabled' : 'disabled'})`,
            d.description,
            `trigger: ${JSON.stringify(d.trigger)}`,
            'personas:',
            personaLines(d.personas).replace(/^/gm, '  ') || '  (most senior contacts)',
            `limits: ${d.limits.maxContactsPerAccount} contact(s) per account, ` +
              `skip if contacted in ${d.limits.contactCooldownDays} days, ${d.limits.staggerHours} h between first sends`,
            `versions: ${versions.map((v) => `v${v.version} ${v.created_at.toISOString()}`).join(', ')}`,
          ]
            .filter(Boolean)
            .join('\n') + '\n',
        );
      }),
    );
  program
    .command('enroll')
    .description('Enroll contacts in a play by hand: research and drafting start, drafts land in the review queue.')
    .requiredOption('--play <id>', 'play id')
    .requiredOption('--contact <email...>', 'contact email(s)')
    .option('--note <text>', 'why now, for the drafter and the reviewer')
    .action(async (o: { play: string; contact: string[]; note?: string }) =>
      withWorkspace(true, async (ctx, ws) => {
        const ids: number[] = [];
        for (const email of o.contact) {
          const c = await one(ctx.db, findContactByEmail(ws, email));
          if (!c) {
            process.stderr.write(`prospector: no contact with email ${email}\n`);
            process.exitCode = 1;
            return;
          }
          ids.push(c.id);
        }
        const out = await enrollContacts(
          ctx.db,
          { workspaceId: ws, playId: Number(o.play), contactIds: ids, userId: null, note: o.note },
          researchEnqueuer(ctx.boss),
        );
        process.stdout.write(
          `enrolled ${ids.length} contact(s): signal ${out.signalIds.join(', ')}; research is queued\n`,
        );
      }),
    );
}
