// The administrator imports procedures from a file on /quan-tri/thu-tuc
// (template: docs/import/procedures.md). A file with bad rows is refused
// whole, each problem shown by row and column; a good file adds its
// procedure, which the catalog then lists and shows.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoSuite } from './lib/suite.mjs';
import { keepFailures, newPage, screenshot, signIn } from './lib/browser.mjs';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

const env = demoSuite();

/** Opens the import on the catalog page and sends `file` through its form. */
async function importFile(page, base, file) {
  await page.goto(`${base}/quan-tri/thu-tuc`);
  const box = page.locator('details#nhap');
  if ((await box.getAttribute('open')) === null) await box.locator('> summary').click();
  const form = box.locator('form[action="/quan-tri/thu-tuc/nhap"]');
  await form.locator('input[type=file]').setInputFiles(join(fixtures, file));
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/quan-tri/thu-tuc/nhap') && r.request().method() === 'POST'),
    form.locator('button[type=submit]').click(),
  ]);
  await page.waitForLoadState();
  return response;
}

/** The catalog rows found by a search, as text. */
async function catalogSearch(page, base, q) {
  await page.goto(`${base}/quan-tri/thu-tuc?q=${encodeURIComponent(q)}`);
  return page.locator('main').innerText();
}

test('an administrator imports procedures: a bad file changes nothing, a good one adds', () =>
  keepFailures(env.browser, 'import1', async () => {
    const base = env.server.url;
    const admin = await newPage(env.browser);
    await signIn(admin, base, 'admin');
    await admin.goto(`${base}/quan-tri/thu-tuc`);
    assert.equal(await admin.locator('h1').innerText(), 'Danh mục thủ tục');
    assert.equal(await admin.locator('details#nhap > summary').innerText(), 'Nhập danh mục từ tệp');
    const before = await admin.locator('table.data tbody tr').count();
    assert.ok(before > 0, 'the demo catalog is listed');

    // Row 2 is right but row 3 has an unreadable time limit and a negative fee.
    const bad = await importFile(admin, base, 'procedures-bad.csv');
    assert.equal(bad.status(), 422);
    await admin.getByText('Tệp chưa được nhập: không thủ tục nào thay đổi.').waitFor();
    await admin.getByText('Tệp đã gửi: procedures-bad.csv').waitFor();
    const problems = admin.locator('table.import-errors tbody tr');
    const rows = await problems.allInnerTexts();
    assert.ok(rows.some((r) => /^dòng 3, cột F \(Thời hạn giải quyết\)\s+.*năm ngày làm việc/.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => /^dòng 3, cột I \(Phí, lệ phí\)/.test(r)), rows.join('\n'));
    assert.ok(rows.every((r) => r.startsWith('dòng 3')), `only row 3 is wrong: ${rows.join('\n')}`);
    await screenshot(admin, '10-admin-import-refused');
    assert.doesNotMatch(await catalogSearch(admin, base, 'thu tuc thu nghiem'), /1\.99900[23]/, 'nothing imported, not even the good row');

    const good = await importFile(admin, base, 'procedures-good.csv');
    assert.equal(good.status(), 200);
    await admin.getByText('Đã nhập 1 thủ tục: 1 thủ tục mới, 0 phiên bản mới, 0 không thay đổi.').waitFor();
    assert.equal(await admin.locator('table.import-errors').count(), 0);
    await screenshot(admin, '11-admin-import-done');

    // The catalog finds it without diacritics, and its page shows what the file said.
    const found = await catalogSearch(admin, base, 'giay xac nhan thu nghiem');
    assert.match(found, /1\.999001/);
    assert.match(found, /Cấp giấy xác nhận thử nghiệm trình duyệt/);
    await admin.getByRole('link', { name: '1.999001' }).click();
    await admin.waitForURL(`${base}/quan-tri/thu-tuc/1.999001`);
    const page = await admin.locator('main').innerText();
    assert.match(page, /Cấp giấy xác nhận thử nghiệm trình duyệt/);
    assert.match(page, /4 ngày làm việc/);
    assert.match(page, /30\.000 đ/);
    assert.match(page, /Từ 01\/01\/2025/);
    await screenshot(admin, '12-admin-imported-procedure');
  }));
