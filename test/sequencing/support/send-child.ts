// A separate worker process for race and crash tests: sends the given steps in order through
// the real send path. Env: DATABASE_URL, APP_SECRET, DATA_DIR, STEP_IDS (comma-separated).
import { openContext } from '../../../cli/context.js';
import { sendStep } from '../../../sequencing/send.js';
import { TransportPool, transportDeps } from '../../../sequencing/transport.js';

const ctx = await openContext({ boss: false });
const transports = new TransportPool(transportDeps(ctx));
const ids = (process.env.STEP_IDS ?? '').split(',').filter(Boolean).map(Number);
for (const id of ids) {
  const r = await sendStep(ctx, id, { transports });
  process.stdout.write(`${id} ${r.status}\n`);
}
await transports.close();
await ctx.stop();
