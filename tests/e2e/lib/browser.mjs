// Debian's chromium driven by playwright-core (which downloads no browser),
// and what every test does with it: sign in as a demo user, take screenshots.

import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the PNG screenshots go (ignored by git). */
export const SCREENSHOTS = resolve(here, '../screenshots');

/** The password of every demo account (crates/app/src/demo.rs). */
export const DEMO_PASSWORD = 'motcua-demo';

/** The system's chromium: `MOTCUA_E2E_CHROMIUM`, else Debian's. */
export function chromiumPath() {
  const path = process.env.MOTCUA_E2E_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`chromium not found at ${path}: install it with \`apt-get install chromium\` (or set MOTCUA_E2E_CHROMIUM)`);
  }
  return path;
}

/** Starts headless chromium. Root (CI, containers) needs the sandbox off. */
export async function launch() {
  // Nothing reaches out: this machine has no network but loopback.
  const args = ['--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update'];
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args });
}

/**
 * A fresh browser context (its own cookies: one signed-in user) with a page,
 * in Vietnamese and Vietnam's time, the size of a desk's screen.
 */
export async function newPage(browser) {
  const context = await browser.newContext({
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    viewport: { width: 1366, height: 900 },
  });
  const page = await context.newPage();
  // Generous: CI runs this beside the rest of the suite on two cores.
  page.setDefaultTimeout(30_000);
  return page;
}

/** Saves a full-page PNG under screenshots/ and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Signs in through /dang-nhap with the keyboard alone: the user name field
 * has the focus, Tab to the password, Enter to submit. Lands on the
 * dashboard.
 */
export async function signIn(page, base, username) {
  const r = await page.goto(`${base}/dang-nhap`);
  assert.equal(r.status(), 200);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'username', 'the user name field has the focus');
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(DEMO_PASSWORD);
  await Promise.all([page.waitForURL(`${base}/`), page.keyboard.press('Enter')]);
}

/** The id of the element with the focus. */
export function focusedId(page) {
  return page.evaluate(() => document.activeElement?.id ?? '');
}

/**
 * Runs a test body; when it fails, saves a screenshot of every open page as
 * `failed-<name>-<n>.png` before passing the failure on. Either way the
 * test's browser contexts (its signed-in users) are closed after it.
 */
export async function keepFailures(browser, name, body) {
  try {
    await body();
  } catch (e) {
    let n = 0;
    for (const context of browser.contexts()) {
      for (const page of context.pages()) {
        n += 1;
        await screenshot(page, `failed-${name}-${n}`).catch(() => {});
      }
    }
    throw e;
  } finally {
    for (const context of browser.contexts()) await context.close();
  }
}
