// `prospector`: one entry point for every process and one-shot task.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { ROLES } from '../db/queries/users.js';
import { migrate } from '../db/migrate.js';
import { serve } from './serve.js';
import { configOrExit, openDatabaseOrExit } from './context.js';
import { runAdminCommand } from './admin.js';
import { doctorCommand } from './doctor.js';
import { draftCommand } from './draft.js';
import { importCommand } from './import.js';
import { registerSignalCommands } from './signals.js';
import { registerSequencingCommands } from './sequencing.js';
import { registerPlayCommands } from './plays.js';
import { registerCrmCommands } from './crm.js';
import { researchCommand } from './research.js';
import type { InboundSecretArgs } from './inbound-secret.js';
import type { UserAddArgs } from './user.js';

const program = new Command();
program
  .name('prospector')
  .description(
    'Signal-triggered prospecting agent: signals → research → cited drafts → human review → reply-aware sequences.',
  )
  .showHelpAfterError();

program
  .command('start')
  .description('Migrate, then run the web app and every agent in one process (the easy way to run it).')
  .option('--demo', 'add a fictional demo workspace when the database is empty, and print its logins')
  .action(async (o: { demo?: boolean }) => serve({ web: true, agents: 'all', demo: !!o.demo, pretty: true }));

program
  .command('web')
  .description('Run only the web app (review UI and API). Scale out by running several behind a load balancer.')
  .action(async () => serve({ web: true, agents: 'none' }));

program
  .command('worker')
  .description('Run queue agents only. Run as many as you like, on any machine sharing the database.')
  .option('--agents <names>', 'comma-separated queue names (default: all)', (v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .action(async (o: { agents?: string[] }) => serve({ web: false, agents: o.agents?.length ? o.agents : 'all' }));

program
  .command('migrate')
  .description('Apply pending database migrations and exit.')
  .action(async () => {
    const db = await openDatabaseOrExit(configOrExit());
    try {
      const applied = await migrate(db);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    } finally {
      await db.close();
    }
  });

const user = program.command('user').description('Manage users.');
user
  .command('add')
  .description('Add a user and print a one-time password.')
  .requiredOption('--email <email>', 'login email')
  .addOption(new Option('--role <role>', 'role').choices(ROLES as string[]).makeOptionMandatory())
  .option('--name <name>', 'display name', '')
  .action(async (o: UserAddArgs) => runAdminCommand('user.add', { email: o.email, role: o.role, name: o.name }));

program
  .command('inbound-secret')
  .description(
    "Print each mailbox's inbound-mail webhook URL and secret; --rotate replaces the secret (the old one stops).",
  )
  .option('--mailbox <id>', 'only this mailbox', (v) => Number(v))
  .option('--rotate', 'replace the secret with a new random one')
  .action(async (o: InboundSecretArgs) =>
    runAdminCommand('inbound.secret', { mailbox: o.mailbox, rotate: !!o.rotate }),
  );

const imp = program
  .command('import')
  .description('Import target accounts or contacts from CSV (idempotent on domain / email).');
for (const kind of ['accounts', 'contacts'] as const) {
  imp
    .command(kind)
    .description(`Import ${kind} from a CSV file; prints a report of rows with errors and keeps the good ones.`)
    .argument('<file>', 'CSV file with a header row')
    .option('--json', 'print the report as JSON')
    .addOption(
      new Option('--empty-cells <what>', 'an empty cell keeps the stored value, or clears it')
        .choices(['keep', 'clear'])
        .default('keep'),
    )
    .action(async (file: string, o: { json?: boolean; emptyCells: 'keep' | 'clear' }) => importCommand(kind, file, o));
}

program
  .command('doctor')
  .description(
    'Check configuration, database, queue, mailbox logins, SPF/DKIM/DMARC, Chromium and the LLM key; print what to fix.',
  )
  .option('--json', 'print the checks as JSON')
  .action(async (o: { json?: boolean }) => doctorCommand(o));

program
  .command('research')
  .description('Build a dossier for a company without saving it, and print each fact with its source.')
  .argument('<url-or-domain>', 'the company homepage URL or its domain')
  .option('--contact <email>', 'research for this contact (looked up in the database)')
  .option('--json', 'print the dossier as JSON')
  .action(async (target: string, o: { contact?: string; json?: boolean }) => researchCommand(target, o));

program
  .command('draft')
  .description(
    "Draft (or redraft) one researched signal; prints the steps, the facts they cite and every gate's verdict.",
  )
  .requiredOption('--signal <id>', 'signal id')
  .option('--json', 'print the drafts as JSON')
  .action(async (o: { signal: string; json?: boolean }) => draftCommand(o));

registerSignalCommands(program);
registerSequencingCommands(program);
registerPlayCommands(program);
registerCrmCommands(program);

program
  .command('version')
  .description('Print the version.')
  .action(() => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`prospector: ${(err as Error).message}\n`);
  process.exit(1);
}
