import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

// Debian's chromium, driven by playwright-core (which never downloads a browser). CI installs it
// (.ci/run); without it the browser tests are skipped, named so the reason shows in the output.
export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
export const SKIP_NOTE = HAS_CHROMIUM ? '' : ` [skipped: ${CHROMIUM} not found; apt-get install chromium to run]`;
/** Screenshots and PDFs the browser tests leave for a person to look at (git-ignored). */
export const ARTIFACTS = resolve(import.meta.dirname, 'artifacts');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface OpenedPage {
  page: Page;
  url: string;
  requests: string[];
  errors: string[];
}

/** Opens a file as a reader would, recording every request and every console or page error. */
export async function openPage(browser: Browser, path: string, width = 1000): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('dialog', (dialog) => {
    errors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  const url = pathToFileURL(path).href;
  await page.goto(url, { waitUntil: 'load' });
  return { page, url, requests, errors };
}
