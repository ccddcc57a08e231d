// The dossier list (issue 18, point 7), in the browser, on the demo:
//
//   motcua.dl (desk officer) opens /ho-so on a desk's screen: the search
//   box, unit, status and order sit on one line, the other filters folded
//   under "Bộ lọc khác"; the list says how many dossiers match and which
//   page of how many it shows. They filter by channel from the fold (the
//   fold stays open once the page is reloaded with it), sort by the due
//   column's header (aria-sort follows, a second click reverses it), and go
//   to the next page, whose number follows. On a phone the line wraps and
//   nothing runs off the screen.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoSuite } from './lib/suite.mjs';
import { keepFailures, newPage, screenshot, signIn } from './lib/browser.mjs';

const env = demoSuite();

/** "1.234 hồ sơ" → 1234. */
function total(text) {
  const m = /([\d.]+) hồ sơ/.exec(text);
  assert.ok(m, `no total in ${text}`);
  return Number(m[1].replaceAll('.', ''));
}

/** The top edges of the line's fields (an input and a select differ by a few pixels). */
async function tops(page) {
  return page.evaluate(() =>
    ['f-q', 'f-unit', 'f-status', 'f-sort'].map((id) => Math.round(document.getElementById(id).getBoundingClientRect().top)),
  );
}

test('folded filters, totals, page numbers and sortable columns', () =>
  keepFailures(env.browser, 'list', async () => {
    const base = env.server.url;
    const page = await newPage(env.browser);
    await page.setViewportSize({ width: 1366, height: 768 });
    await signIn(page, base, 'motcua.dl');

    await page.goto(`${base}/ho-so`);
    const line = await tops(page);
    assert.ok(line.every((t) => Math.abs(t - line[0]) < 12), `one line: ${line}`);
    const fold = page.locator('details#more-filters');
    assert.equal(await fold.getAttribute('open'), null, 'folded when nothing of it is set');
    assert.equal(await page.locator('#f-channel').isVisible(), false);
    const count = await page.locator('#list-count').innerText();
    const all = total(count);
    assert.ok(all > 50, count);
    assert.match(count, new RegExp(`Trang 1 / ${Math.ceil(all / 50)}`));
    await screenshot(page, '70-list-desk');

    // A folded filter: channel online, through htmx.
    await fold.locator('summary').click();
    await page.locator('#f-channel').selectOption('online');
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await page.waitForURL(/channel=online/);
    await page.locator('#list-count').filter({ hasNotText: String(all) }).waitFor();
    const online = total(await page.locator('#list-count').innerText());
    assert.ok(online > 0 && online < all, `${online} of ${all}`);
    await page.reload();
    assert.notEqual(await fold.getAttribute('open'), null, 'open when one of it is set');
    assert.match(await fold.locator('summary').innerText(), /đang áp dụng 1/);
    await screenshot(page, '71-list-folded-open');

    // The due column's header sorts, and a second click reverses.
    const dueHead = page.locator('th', { hasText: 'Hẹn trả' });
    await dueHead.locator('a').click();
    await page.waitForURL(/sort=due(&|$)/);
    await page.locator('th[aria-sort="ascending"]', { hasText: 'Hẹn trả' }).waitFor();
    await dueHead.locator('a').click();
    await page.waitForURL(/sort=due_latest/);
    await page.locator('th[aria-sort="descending"]', { hasText: 'Hẹn trả' }).waitFor();
    assert.equal(await page.locator('th', { hasText: 'Tiếp nhận' }).getAttribute('aria-sort'), null);
    assert.equal(await page.locator('#f-sort').inputValue(), 'due_latest', 'the form follows the order');

    // The next page of everything: its number follows.
    await page.goto(`${base}/ho-so?sort=due`);
    await page.locator('a.next').click();
    await page.waitForURL(/page=2/);
    await page.locator('#list-count', { hasText: 'Trang 2 /' }).waitFor();
    assert.equal(total(await page.locator('#list-count').innerText()), all, 'the same total on page 2');
    await screenshot(page, '72-list-page-2');

    // Page 3, then back: "Trang trước" shows page 2 again, the same rows.
    const firstCode = () => page.locator('#list-results tbody tr').first().locator('a').first().innerText();
    const page2First = await firstCode();
    assert.equal(await page.locator('a.previous').count(), 0, 'page 2 offers the first page only');
    await page.locator('a.next').click();
    await page.waitForURL(/page=3/);
    await page.locator('#list-count', { hasText: 'Trang 3 /' }).waitFor();
    assert.notEqual(await firstCode(), page2First, 'page 3 shows other dossiers');
    await page.locator('a.previous').click();
    await page.waitForURL(/page=2/);
    await page.locator('#list-count', { hasText: 'Trang 2 /' }).waitFor();
    assert.equal(await firstCode(), page2First, 'back on page 2, its rows again');

    // A phone: the line wraps, nothing runs off the side.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/ho-so?channel=online`);
    const wide = await page.evaluate(() => {
      const form = document.querySelector('form.filters');
      return form.scrollWidth - form.clientWidth;
    });
    assert.ok(wide <= 1, `the form overflows by ${wide}px`);
    assert.notEqual(await fold.getAttribute('open'), null);
    await screenshot(page, '73-list-phone');
  }));
