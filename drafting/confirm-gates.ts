// Approving what the gates flagged: the same rule for a whole draft and for one returned step.
// Never in bulk; alone only when the reviewer names every gate it failed (they read the failures).
import { AppError } from '../errors.js';

/** The gates a draft or step failed, by name, once each. */
export function failedGates(gateFailures: unknown): string[] {
  const list = Array.isArray(gateFailures) ? gateFailures : [];
  return [...new Set(list.map((f) => String((f as { gate?: unknown })?.gate ?? (typeof f === 'string' ? f : 'gate'))))];
}

/**
 * Throws GATE_FAILURES (409) unless every failed gate is in `confirmed`; `details` carries the
 * failures and the gate names so a page or a client can show them and confirm by name.
 * Returns the gates that were confirmed (for the audit trail).
 */
export function assertGatesConfirmed(
  gateFailures: unknown,
  confirmed: readonly string[] | undefined,
  what: 'draft' | 'step',
): string[] {
  const gates = failedGates(gateFailures);
  const unconfirmed = gates.filter((g) => !(confirmed ?? []).includes(g));
  if (unconfirmed.length)
    throw new AppError(
      'GATE_FAILURES',
      `This ${what} failed the ${unconfirmed.join(', ')} gate${unconfirmed.length === 1 ? '' : 's'}; ` +
        'read the failures and confirm them to approve it anyway.',
      { details: { failures: gateFailures, gates } },
    );
  return gates;
}
