// Script-rendered pages: one shared Chromium per process (Debian's /usr/bin/chromium through
// playwright-core, never a downloaded browser), a bounded pool of contexts, JavaScript on,
// downloads off, every request checked against the private-address rule. Closed when idle.
import { existsSync } from 'node:fs';
import pLimit from 'p-limit';
import { chromium, type Browser } from 'playwright-core';
import { fetchError, USER_AGENT } from './fetch.js';
import { hostAllowed, type AddressPolicy } from './net.js';

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--headless',
];

export function findChromium(candidates = CHROMIUM_CANDIDATES): string | undefined {
  return candidates.find((p) => existsSync(p));
}

export interface Renderer {
  /** The page's HTML after its scripts ran (up to `maxBytes`). */
  render(url: string, opts: AddressPolicy & { timeoutMs: number; maxBytes: number }): Promise<string>;
  close(): Promise<void>;
}

export interface ChromiumRendererOptions {
  executablePath: string;
  /** Contexts (tabs) rendering at once in this process. */
  maxContexts?: number;
  /** Close the browser after this long without a render. */
  idleMs?: number;
}

export class ChromiumRenderer implements Renderer {
  private browser: Promise<Browser> | undefined;
  private readonly limit: ReturnType<typeof pLimit>;
  private idleTimer: NodeJS.Timeout | undefined;
  private active = 0;

  constructor(private readonly opts: ChromiumRendererOptions) {
    this.limit = pLimit(opts.maxContexts ?? 2);
  }

  private async launch(): Promise<Browser> {
    if (!this.browser) {
      this.browser = chromium.launch({ executablePath: this.opts.executablePath, args: CHROMIUM_ARGS, headless: true });
      this.browser.then(
        (b) =>
          b.on('disconnected', () => {
            this.browser = undefined;
          }),
        () => {
          this.browser = undefined;
        },
      );
    }
    return this.browser;
  }

  render(url: string, opts: AddressPolicy & { timeoutMs: number; maxBytes: number }): Promise<string> {
    return this.limit(async () => {
      this.active++;
      clearTimeout(this.idleTimer);
      const browser = await this.launch();
      const context = await browser.newContext({
        javaScriptEnabled: true,
        acceptDownloads: false,
        serviceWorkers: 'block',
        userAgent: USER_AGENT,
      });
      try {
        await context.route('**/*', async (route) => {
          const target = new URL(route.request().url());
          if (target.protocol === 'data:' || target.protocol === 'blob:') return route.continue();
          return (await hostAllowed(target, opts)) ? route.continue() : route.abort('blockedbyclient');
        });
        const page = await context.newPage();
        try {
          await page.goto(url, { waitUntil: 'networkidle', timeout: opts.timeoutMs });
        } catch (err) {
          throw fetchError(
            (err as Error).name === 'TimeoutError' ? 'timeout' : 'network',
            `${url}: the browser could not load it (${(err as Error).message.split('\n')[0]})`,
            { cause: err },
          );
        }
        const html = await page.content();
        return html.length > opts.maxBytes ? html.slice(0, opts.maxBytes) : html;
      } finally {
        await context.close().catch(() => {});
        this.active--;
        this.scheduleIdleClose();
      }
    });
  }

  private scheduleIdleClose() {
    if (this.active > 0) return;
    this.idleTimer = setTimeout(() => void this.close(), this.opts.idleMs ?? 60_000);
    this.idleTimer.unref();
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const b = this.browser;
    this.browser = undefined;
    if (b) await (await b.catch(() => undefined))?.close().catch(() => {});
  }
}

let shared: ChromiumRenderer | null | undefined;

/** The process's one renderer, or null when no Chromium is installed (cheerio only). */
export function sharedRenderer(): ChromiumRenderer | null {
  if (shared === undefined) {
    const path = findChromium();
    shared = path ? new ChromiumRenderer({ executablePath: path }) : null;
  }
  return shared;
}
