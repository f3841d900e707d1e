// CLI commands next to a running embedded app. The app holds the DATA_DIR lock; the commands
// below are sent to it over the lock's admin socket and run with the app's own database, so
// what they write is what the app sees. Every other command stops with EXIT_DATA_DIR_LOCKED.
import type { AppContext } from '../context.js';
import { sendAdminRequest, type AdminReply, type AdminRequest } from '../db/data-dir-lock.js';
import { configOrExit, openContext } from './context.js';
import { importCsv, type ImportArgs } from './import.js';
import { inboundSecret, type InboundSecretArgs } from './inbound-secret.js';
import { userAdd, type UserAddArgs } from './user.js';

type AdminCommandFn = (ctx: AppContext, args: never) => Promise<AdminReply>;

/** Commands the running app runs on behalf of the CLI. */
const ADMIN_COMMANDS: Record<string, AdminCommandFn> = {
  'user.add': (ctx, args: UserAddArgs) => userAdd(ctx, args),
  import: (ctx, args: ImportArgs) => importCsv(ctx, args),
  'inbound.secret': (ctx, args: InboundSecretArgs) => inboundSecret(ctx, args),
};

/** The app's side: answers admin requests with its own context. */
export function adminHandler(ctx: AppContext): (req: AdminRequest) => Promise<AdminReply> {
  return async (req) => {
    const fn = ADMIN_COMMANDS[req.command];
    if (!fn) return { stdout: '', stderr: `unknown admin command ${req.command}\n`, exitCode: 1 };
    ctx.log.info({ command: req.command }, 'admin.command');
    return fn(ctx, req.args as never);
  };
}

function print(reply: AdminReply): void {
  process.stdout.write(reply.stdout);
  process.stderr.write(reply.stderr);
  if (reply.exitCode) process.exitCode = reply.exitCode;
}

/**
 * Runs an admin command through the running embedded app when there is one, else in this
 * process with its own context. `local` may do more than the app would (a progress bar).
 */
export async function runAdminCommand<A>(
  command: keyof typeof ADMIN_COMMANDS,
  args: A,
  local?: (ctx: AppContext, args: A) => Promise<AdminReply>,
): Promise<void> {
  const config = configOrExit();
  if (config.embedded) {
    const reply = await sendAdminRequest(config.dataDir, { command, args });
    if (reply) {
      process.stderr.write(`(run by the Prospector already running on ${config.dataDir})\n`);
      print(reply);
      return;
    }
  }
  const ctx = await openContext({ boss: false });
  try {
    print(await (local ?? (ADMIN_COMMANDS[command] as (c: AppContext, a: A) => Promise<AdminReply>))(ctx, args));
  } finally {
    await ctx.stop();
  }
}
