// Script-rendered pages: one Chromium per process, owned by the application context (Debian's /usr/bin/chromium through
// playwright-core, never a downloaded browser), a bounded pool of contexts, JavaScript on,
// downloads and service workers off. Each render's context is pointed at its own guard proxy
// (proxy.ts), so every byte the page fetches passes the address guard with the address pinned;
// `<-loopback>` is forced by Playwright so loopback is proxied too. Closed when idle.
import { existsSync } from 'node:fs';
import pLimit from 'p-limit';
import type { Browser } from 'playwright-core';
import type { AddressPolicy } from './address.js';
import { blockedError, fetchError } from './errors.js';
import { BOT_TOKEN } from './identity.js';
import { REFUSED_HEADER, startGuardProxy } from './proxy.js';

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--headless',
  // WebRTC's UDP does not go through a proxy: allow none of it.
  '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
];

export function findChromium(candidates = CHROMIUM_CANDIDATES): string | undefined {
  return candidates.find((p) => existsSync(p));
}

export interface RenderOptions extends AddressPolicy {
  timeoutMs: number;
  maxBytes: number;
  userAgent?: string;
}

export interface Renderer {
  /** The page's HTML after its scripts ran (up to `maxBytes`). */
  render(url: string, opts: RenderOptions): Promise<string>;
  close(): Promise<void>;
}

interface ChromiumRendererOptions {
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
      // playwright-core (~90 MB of modules) is loaded at the first render, not when the process starts.
      this.browser = import('playwright-core').then(({ chromium }) =>
        chromium.launch({ executablePath: this.opts.executablePath, args: CHROMIUM_ARGS, headless: true }),
      );
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

  render(url: string, opts: RenderOptions): Promise<string> {
    return this.limit(async () => {
      this.active++;
      clearTimeout(this.idleTimer);
      const proxy = await startGuardProxy(opts, { maxBytes: opts.maxBytes * 10 });
      try {
        const browser = await this.launch();
        const context = await browser.newContext({
          javaScriptEnabled: true,
          acceptDownloads: false,
          serviceWorkers: 'block',
          userAgent: opts.userAgent ?? BOT_TOKEN,
          proxy: { server: proxy.url },
        });
        try {
          const page = await context.newPage();
          let res;
          try {
            res = await page.goto(url, { waitUntil: 'networkidle', timeout: opts.timeoutMs });
          } catch (err) {
            if (proxy.refused.length) throw blockedError(proxy.refused[0]!);
            throw fetchError(
              (err as Error).name === 'TimeoutError' ? 'timeout' : 'network',
              `${url}: the browser could not load it (${(err as Error).message.split('\n')[0]})`,
              { cause: err },
            );
          }
          // The document itself (or a redirect on the way to it) was refused.
          if (res?.headers()[REFUSED_HEADER]) throw blockedError(new URL(res.url()).host);
          const html = await page.content();
          return html.length > opts.maxBytes ? html.slice(0, opts.maxBytes) : html;
        } finally {
          await context.close().catch(() => {});
        }
      } finally {
        await proxy.close();
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

/** A renderer on the installed Chromium, or null when none is (cheerio only). The context owns one per process. */
export function chromiumRenderer(): ChromiumRenderer | null {
  const path = findChromium();
  return path ? new ChromiumRenderer({ executablePath: path }) : null;
}
