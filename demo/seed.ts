// `prospector start --demo`: a fictional workspace, only into an empty database. Its logins are
// kept in DATA_DIR/demo-logins.json (mode 600) so a newcomer who restarts can still log in.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppContext } from '../context.js';
import { one, run } from '../db/index.js';
import { insertAccount } from '../db/queries/accounts.js';
import { insertContact } from '../db/queries/contacts.js';
import { databaseIsEmpty } from '../db/queries/demo.js';
import { insertOutboxMailbox } from '../db/queries/mailboxes.js';
import { insertTemplateRow } from '../db/queries/templates.js';
import type { Role } from '../db/queries/users.js';
import { insertWorkspace } from '../db/queries/workspaces.js';
import { addUser } from '../review-ui/auth/users.js';
import { seedDemoSources } from './feeds.js';
import { seedDefaultPlays } from '../plays/service.js';
import { DEFAULT_TEMPLATE, DEMO_ACCOUNTS, DEMO_PLAYBOOK } from './data.js';

interface DemoLogin {
  role: Role;
  email: string;
  password: string;
}

const loginsFile = (dataDir: string) => path.join(dataDir, 'demo-logins.json');

export function readDemoLogins(dataDir: string): DemoLogin[] | undefined {
  const f = loginsFile(dataDir);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as DemoLogin[]) : undefined;
}

export async function seedDemo(ctx: Pick<AppContext, 'db' | 'config' | 'log'>): Promise<'seeded' | 'not-empty'> {
  const { db } = ctx;
  const empty = (await one(db, databaseIsEmpty()))!.empty;
  if (!empty) return readDemoLogins(ctx.config.dataDir) ? 'seeded' : 'not-empty';

  const ws = (await one(
    db,
    insertWorkspace('Demo workspace (fictional)', {
      playbook: DEMO_PLAYBOOK,
      signature: 'Riley Rep\nProspector Demo Co',
      physicalAddress: 'Prospector Demo Co, 1 Example Street, Springfield',
      cooldownDays: 30,
      autoCreateAccountsFromChampions: true,
      approvalMode: 'each_step',
      demo: true,
    }),
  ))!;
  const logins: DemoLogin[] = [];
  const users: Record<string, number> = {};
  for (const [role, email, name, tz] of [
    ['admin', 'admin@demo.prospector.test', 'Avery Admin', 'UTC'],
    ['rep', 'rep@demo.prospector.test', 'Riley Rep', 'America/New_York'],
    ['manager', 'manager@demo.prospector.test', 'Morgan Manager', 'America/New_York'],
    ['revops', 'revops@demo.prospector.test', 'Robin RevOps', 'Europe/London'],
  ] as const) {
    const { user, password } = await addUser(db, { workspaceId: ws.id, email, name, role, timeZone: tz });
    users[role] = user.id;
    logins.push({ role, email, password });
  }
  for (const a of DEMO_ACCOUNTS) {
    const acc = (await one(
      db,
      insertAccount(ws.id, {
        name: a.name,
        domain: a.domain,
        aliases: a.aliases ?? [],
        ownerId: users.rep!,
        timeZone: a.timeZone,
        country: a.country,
        tags: a.tags,
      }),
    ))!;
    for (const c of a.contacts) {
      const local = `${c.first}.${c.last}`
        .toLowerCase()
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/[^a-z.]/g, '');
      await run(
        db,
        insertContact(ws.id, {
          accountId: acc.id,
          firstName: c.first,
          lastName: c.last,
          email: `${local}@${a.domain}`,
          title: c.title,
          timeZone: c.timeZone ?? null,
          linkedinUrl: null,
          isChampion: !!c.champion,
        }),
      );
    }
  }
  await run(db, insertTemplateRow(ws.id, DEFAULT_TEMPLATE));
  await run(
    db,
    insertOutboxMailbox({
      workspaceId: ws.id,
      userId: users.rep!,
      fromName: 'Riley Rep',
      fromEmail: 'rep@demo.prospector.test',
    }),
  );
  await seedDemoSources(db, ws.id, ctx.config.publicUrl);
  await seedDefaultPlays(db, ws.id);
  writeFileSync(loginsFile(ctx.config.dataDir), JSON.stringify(logins, null, 2), { mode: 0o600 });
  ctx.log.info({ workspaceId: ws.id, accounts: DEMO_ACCOUNTS.length }, 'demo.seeded');
  return 'seeded';
}
