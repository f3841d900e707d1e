// The one wait helper: poll until a condition holds, with a generous deadline (a loaded CI machine), never a fixed
// sleep. A probe that throws is retried (a server restarting, a row not there yet) and its last error is reported.

interface EventuallyOptions {
  /** Give up after this long (ms). */
  timeout?: number;
  /** Between probes (ms). */
  every?: number;
  /** Checked before each probe: a reason to stop at once (a child process exited), or undefined to go on. */
  abortIf?: () => string | undefined;
}

/** Calls `probe` until it returns a value other than undefined, null or false, and returns that value. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeout = 60_000, every = 100, abortIf }: EventuallyOptions = {},
): Promise<T> {
  const end = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    const stop = abortIf?.();
    if (stop) throw new Error(`${stop} while waiting for ${what}`);
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end)
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
