// Untrusted text (scraped pages, feed items, replies) goes to the model as fenced data, never as
// instructions: every prompt that carries it says so, and nothing inside can close the fence.

export const UNTRUSTED_OPEN = '<untrusted_research_data>';
export const UNTRUSTED_CLOSE = '</untrusted_research_data>';

/** JSON with `<` escaped, so no scraped text can close the fence or open a tag of its own. */
export function fenceUntrusted(data: unknown): string {
  const json = JSON.stringify(data, null, 2).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
  return `${UNTRUSTED_OPEN}\n${json}\n${UNTRUSTED_CLOSE}`;
}
