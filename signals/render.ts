// Pages that build their list with script: rendered in system Chromium (playwright-core).
// Every request the page makes passes the same address guard as safeFetch.
import dns from 'node:dns/promises';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { chromium } from 'playwright-core';
import { AppError } from '../errors.js';
import { isPublicAddress, privateAllowed, type FetchOptions } from './fetch.js';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function findChromium(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

async function urlAllowed(url: URL, opts: FetchOptions): Promise<boolean> {
  if (privateAllowed(opts, url)) return true;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addrs = net.isIP(host) ? [host] : (await dns.lookup(host, { all: true })).map((a) => a.address);
  return addrs.every(isPublicAddress);
}

/** The page's HTML after script ran (network idle or the deadline, whichever is first). */
export async function renderPage(url: string, opts: FetchOptions & { executablePath: string }): Promise<string> {
  const browser = await chromium.launch({
    executablePath: opts.executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const context = await browser.newContext({ userAgent: opts.userAgent, javaScriptEnabled: true });
    await context.route('**/*', async (route) => {
      const u = new URL(route.request().url());
      const ok = (u.protocol === 'http:' || u.protocol === 'https:') && (await urlAllowed(u, opts).catch(() => false));
      if (ok) await route.continue();
      else await route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    if (!(await urlAllowed(new URL(url), opts)))
      throw new AppError('FETCH_BLOCKED', `${new URL(url).hostname} is a private or reserved address`);
    await page.goto(url, { timeout: opts.timeoutMs ?? 20_000, waitUntil: 'networkidle' });
    return await page.content();
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw new AppError('FETCH_FAILED', `rendering ${url} failed: ${(cause as Error).message.split('\n')[0]}`, {
      cause,
      details: { reason: 'network' },
    });
  } finally {
    await browser.close();
  }
}
