import { existsSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import { chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); Playwright never downloads a browser here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Without the background-networking flags Chromium phones home at start-up (update checks,
// safe browsing, sync), which a closed network refuses; none of that is the page's doing.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Headless Chromium with a fresh, empty profile (Playwright makes a temporary user-data-dir). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH)`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

// Addresses on this host only: the gateway binds 127.0.0.1, and blob:/data: never leave the page.
function staysOnHost(url: string): boolean {
  const parsed = new URL(url);
  if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') return true;
  return parsed.hostname === '127.0.0.1';
}

/** A browser context that behaves as if offline for anything but 127.0.0.1, and says what it tried. */
export interface OfflineContext {
  context: BrowserContext;
  /** Every URL any page or worker in the context requested, in order. */
  requested: string[];
  /** The requested URLs (and WebSocket URLs) whose host is not 127.0.0.1; these were aborted. */
  offHost(): string[];
}

/**
 * Opens a context that records every request and aborts those leaving the host, the way a closed
 * network would, so a page that needs a CDN both fails visibly and is reported by `offHost()`.
 */
export async function openOfflineContext(
  browser: Browser,
  viewport = { width: 1400, height: 900 },
): Promise<OfflineContext> {
  const context = await browser.newContext({ viewport });
  const requested: string[] = [];
  const sockets: string[] = [];
  context.on('request', (request) => requested.push(request.url()));
  context.on('page', (page) => page.on('websocket', (socket) => sockets.push(socket.url())));
  await context.route(
    (url) => !staysOnHost(url.href),
    (route) => route.abort('blockedbyclient'),
  );
  return {
    context,
    requested,
    offHost: () => [...requested, ...sockets].filter((url) => !staysOnHost(url)),
  };
}
