// The search box and the keyboard shortcuts of the staff pages (issue 18,
// points 1 and 9), in the browser, on the demo:
//
//   motcua.dl (desk officer) presses "/" on the dashboard, types a name
//   without diacritics and sees the hits under the box; types (as a barcode
//   reader would) a code from them and Enter, and lands on that dossier;
//   opens the shortcuts' overlay with "?", closes it with Esc, and goes to
//   the list with "l". On a phone the box is still there.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoSuite } from './lib/suite.mjs';
import { focusedId, keepFailures, newPage, screenshot, signIn } from './lib/browser.mjs';

const env = demoSuite();

test('search by name and by code, and the shortcuts', () =>
  keepFailures(env.browser, 'search', async () => {
    const base = env.server.url;
    const page = await newPage(env.browser);
    await signIn(page, base, 'motcua.dl');

    // "/" puts the cursor in the box; a name as typed on a phone.
    await page.keyboard.press('/');
    assert.equal(await focusedId(page), 'top-q');
    await page.keyboard.type('nguyen', { delay: 30 });
    // Each pause in typing sends a request; only the answer to the whole
    // word counts (a slow machine may show the hits for "ng" first).
    const hits = page.locator('#top-hits .hit-list[data-answers="nguyen"] a');
    await hits.first().waitFor();
    const n = await hits.count();
    assert.ok(n >= 1 && n <= 8, `between 1 and 8 hits, got ${n}`);
    for (let i = 0; i < n; i += 1) {
      const text = await hits.nth(i).innerText();
      assert.match(text, /Nguyễn/, `a hit that is no Nguyễn: ${text}`);
    }
    await screenshot(page, 'search-hits');
    const code = (await hits.first().locator('strong').innerText()).trim();

    // A barcode reader types the code and Enter: the dossier opens.
    await page.fill('#top-q', '');
    await page.keyboard.type(code.toLowerCase());
    await Promise.all([page.waitForURL(`${base}/ho-so/${code}`), page.keyboard.press('Enter')]);
    assert.match(await page.locator('h1').innerText(), new RegExp(code.replace(/\./g, '\\.')));

    // "?" opens the shortcuts, Esc closes them, "l" opens the list.
    await page.locator('h1').click();
    await page.keyboard.press('?');
    const overlay = page.locator('dialog#keys');
    await overlay.waitFor({ state: 'visible' });
    assert.match(await overlay.innerText(), /Tiếp nhận hồ sơ mới/);
    await screenshot(page, 'keys-overlay');
    await page.keyboard.press('Escape');
    await overlay.waitFor({ state: 'hidden' });
    await Promise.all([page.waitForURL(`${base}/ho-so`), page.keyboard.press('l')]);

    // On a phone the box is there and searches the same way.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/`);
    assert.ok(await page.locator('#top-q').isVisible(), 'the box on a phone');
    await page.locator('#top-q').fill('0');
    await page.keyboard.type('40', { delay: 30 });
    await page.locator('#top-hits').waitFor();
    await screenshot(page, 'search-phone');

    // The reception checklist fits the phone: one card a document, each
    // control on a labelled line, nothing wider than the screen.
    await page.goto(`${base}/tiep-nhan?procedure=1.001612`);
    const checklist = page.locator('table.checklist');
    await checklist.waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the reception page is ${width} px wide on a 390 px phone`);
    const box = await checklist.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, 'the checklist inside the screen');
    assert.equal(
      await page.locator('table.checklist thead').isVisible(),
      false,
      'no column heads on a phone: each line says what it is',
    );
    assert.ok(await page.locator('table.checklist input[type=file]').first().isVisible(), 'the scan input shows');
    await screenshot(page, 'reception-phone');
  }));
