// The registry of agents a worker can run, by queue name.
import { crmOutAgent, crmSyncAgent } from './crm.js';
import { dispatchAgent } from './dispatch.js';
import { draftAgent } from './draft.js';
import { importAgent } from './import.js';
import { inboxAgent } from './inbox.js';
import { maintenanceAgent } from './maintenance.js';
import { pollSourceAgent, signalsTickAgent } from './poll-source.js';
import { researchAgent } from './research.js';
import { sendAgent } from './send.js';
import type { Agent } from './runtime.js';
import { Queues } from './queues.js';

const agentRegistry: Record<string, Agent> = Object.fromEntries(
  [
    maintenanceAgent,
    importAgent,
    researchAgent,
    draftAgent,
    pollSourceAgent,
    signalsTickAgent,
    sendAgent,
    inboxAgent,
    dispatchAgent,
    crmSyncAgent,
    crmOutAgent,
  ].map((a) => [Queues[a.queue].name, a as unknown as Agent]),
);

export function selectAgents(names?: string[]): Agent[] {
  if (!names || names.length === 0) return Object.values(agentRegistry);
  const unknown = names.filter((n) => !agentRegistry[n]);
  if (unknown.length) {
    throw new Error(`unknown agent(s): ${unknown.join(', ')}; known: ${Object.keys(agentRegistry).join(', ')}`);
  }
  return names.map((n) => agentRegistry[n]!);
}
