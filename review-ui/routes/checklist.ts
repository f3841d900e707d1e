// First run without the demo: the admin's home shows what is left to set up (a sending mailbox,
// accounts, a signal source, a rep, the playbook), each ticked from the workspace's data and
// linked to the page that does it. Gone once everything is done; never shown in the demo.

import type { AppContext } from '../../context.js';
import { one } from '../../db/index.js';
import { firstRunState } from '../../db/queries/checklist.js';
import { AuthedRequest } from '../authed.js';
import type { Html } from '../html.js';
import { checklistCard } from '../views/checklist.js';

export async function firstRunChecklist(ctx: Pick<AppContext, 'db'>, req: AuthedRequest): Promise<Html | ''> {
  if (req.user.role !== 'admin') return '';
  const s = await one(ctx.db, firstRunState(req.user.workspaceId));
  return s ? checklistCard(s) : '';
}
