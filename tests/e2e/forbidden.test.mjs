// Forbidden attempts change nothing: the Đô Lương desk officer opening the
// administration ends on the 403 page in Vietnamese; the Nam Đàn desk officer
// opening, then trying to act on, a dossier received at Đô Lương ends on the
// 404 page, as for a code that does not exist (a dossier outside one's units
// is not told apart from a missing one).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoSuite } from './lib/suite.mjs';
import { keepFailures, newPage, screenshot, signIn } from './lib/browser.mjs';

const env = demoSuite();

const FORBIDDEN = 'Bạn không có quyền xem trang này hoặc thực hiện thao tác này.';

/** Checks the page is the 403 error page and returns its text. */
async function assertForbiddenPage(page, response) {
  assert.equal(response.status(), 403);
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  assert.equal(await page.locator('h1').innerText(), 'Không thực hiện được');
  const text = await page.locator('main').innerText();
  assert.match(text, new RegExp(FORBIDDEN.replace(/\./g, '\\.')));
  assert.match(text, /Mã lỗi 403/);
  assert.equal(await page.getByRole('link', { name: 'Về Bàn làm việc' }).getAttribute('href'), '/');
  return text;
}

const NOT_FOUND = 'Không tìm thấy trang hoặc dữ liệu yêu cầu.';

/** Checks the page is the 404 error page and returns its text. */
async function assertNotFoundPage(page, response) {
  assert.equal(response.status(), 404);
  assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
  const text = await page.locator('main').innerText();
  assert.match(text, new RegExp(NOT_FOUND.replace(/\./g, '\\.')));
  assert.match(text, /Mã lỗi 404/);
  return text;
}

test('a desk officer is refused the administration pages, which are not offered', () =>
  keepFailures(env.browser, 'forbidden1', async () => {
    const base = env.server.url;
    const desk = await newPage(env.browser);
    await signIn(desk, base, 'motcua.dl');
    const nav = await desk.locator('nav.main').innerText();
    assert.match(nav, /Tiếp nhận/, 'the desk is offered');
    assert.equal(await desk.locator('nav.main a[href^="/quan-tri"]').count(), 0, 'no administration link');
    // The session's form token, from the sign-out form of a page they may see.
    const csrf = await desk.locator('input[name=csrf_token]').first().inputValue();

    for (const path of ['/quan-tri', '/quan-tri/thu-tuc', '/quan-tri/nguoi-dung']) {
      const r = await desk.goto(`${base}${path}`);
      await assertForbiddenPage(desk, r);
    }
    await screenshot(desk, '20-forbidden-admin');

    // A forged import from the desk officer's own session: refused, nothing added.
    const forged = await desk.evaluate(async ({ csrf }) => {
      const file = new File(
        [
          'Mã thủ tục,Tên thủ tục,Lĩnh vực,Cấp thực hiện,Cơ quan thực hiện,Thời hạn giải quyết,Mức độ DVC trực tuyến,"Phí, lệ phí",Kết quả,Đối tượng,Ngày hiệu lực\n' +
            '1.999009,Thủ tục không được phép nhập,Hộ tịch,Cấp huyện,UBND cấp huyện,5 ngày làm việc,Toàn trình,0,Giấy chứng nhận,Công dân,01/01/2025\n',
        ],
        'thu-tuc.csv',
        { type: 'text/csv' },
      );
      const body = new FormData();
      body.append('csrf_token', csrf);
      body.append('file', file);
      body.append('content', await file.text());
      const r = await fetch('/quan-tri/thu-tuc/nhap', { method: 'POST', body });
      return { status: r.status, text: await r.text() };
    }, { csrf });
    assert.equal(forged.status, 403);
    assert.match(forged.text, new RegExp(FORBIDDEN.replace(/\./g, '\\.')));
    const search = await desk.request.get(`${base}/api/procedures/search?q=${encodeURIComponent('không được phép nhập')}`);
    assert.equal(search.status(), 200);
    assert.doesNotMatch(await search.text(), /1\.999009/, 'nothing imported');
  }));

test('a desk officer of another commune cannot open or act on a dossier', () =>
  keepFailures(env.browser, 'forbidden2', async () => {
    const base = env.server.url;
    // Đô Lương's desk officer picks a dossier of the desk still being processed.
    const owner = await newPage(env.browser);
    await signIn(owner, base, 'motcua.dl');
    await owner.goto(`${base}/ho-so?status=processing&sort=newest`);
    const link = owner.locator('tbody tr td.code a').first();
    const code = (await link.innerText()).trim();
    assert.match(code, /^000\.01\.41\.H40-/);
    await owner.goto(`${base}/ho-so/${code}`);
    const dossier = async () => (await owner.request.get(`${base}/api/dossiers/${code}`)).json();
    const before = {
      status: await owner.locator('.page-head .badge').innerText(),
      events: await owner.locator('.timeline > li').count(),
      version: (await dossier()).version,
    };
    assert.equal(before.status, 'Đang xử lý');

    // Nam Đàn's desk officer: the page answers as for a missing code.
    const other = await newPage(env.browser);
    await signIn(other, base, 'motcua.nd');
    const csrf = await other.locator('input[name=csrf_token]').first().inputValue();
    const r = await other.goto(`${base}/ho-so/${code}`);
    const text = await assertNotFoundPage(other, r);
    const missing = `${code.slice(0, -4)}9999`;
    const m = await other.goto(`${base}/ho-so/${missing}`);
    const missingText = await assertNotFoundPage(other, m);
    assert.equal(text.replaceAll(code, 'CODE'), missingText.replaceAll(missing, 'CODE'));
    assert.doesNotMatch(text, new RegExp(code.replace(/\./g, '\\.')), 'nothing of the dossier is shown');
    await screenshot(other, '21-forbidden-dossier');

    // A forged action, with a valid token of their own session and the
    // dossier's current version: refused too.
    const forged = await other.evaluate(async ({ code, csrf, version }) => {
      const body = new URLSearchParams({ csrf_token: csrf, version: String(version), action: 'withdraw', note: '' });
      const r = await fetch(`/ho-so/${code}/hanh-dong`, { method: 'POST', body });
      return { status: r.status, text: await r.text() };
    }, { code, csrf, version: before.version });
    assert.equal(forged.status, 404);
    assert.match(forged.text, new RegExp(NOT_FOUND.replace(/\./g, '\\.')));

    // Nothing changed on the dossier.
    await owner.reload();
    assert.equal(await owner.locator('.page-head .badge').innerText(), before.status);
    assert.equal(await owner.locator('.timeline > li').count(), before.events);
    assert.equal((await dossier()).version, before.version);
  }));
