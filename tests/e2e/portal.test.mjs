// The citizen portal on a phone, in the browser, on the demo (issue 19,
// points 1 and 8):
//
//   a visitor who never signs in opens /cong-dan on a 390 px phone, finds
//   "Thủ tục đăng ký khai sinh" by typing without diacritics, reads its
//   page (documents, time limit, where to submit), and opens a dossier's
//   status from the address the receipt's QR code holds; the same pages
//   read with JavaScript turned off. Each page weighs under 300 KB.
//
// The QR address is taken the way the receipt gets it: a desk officer's
// API view of a dossier (`status_url`).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoSuite } from './lib/suite.mjs';
import { keepFailures, newPage, screenshot, signIn } from './lib/browser.mjs';

const env = demoSuite();

/** A phone's browser context, without cookies (nobody signed in). */
async function phone(browser, javaScriptEnabled = true) {
  const context = await browser.newContext({
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    viewport: { width: 390, height: 844 },
    isMobile: true,
    javaScriptEnabled,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

/** Bytes received for everything the page loaded (body sizes). */
function weigh(page) {
  const sizes = [];
  page.on('response', (r) => {
    sizes.push(r.body().then((b) => b.length).catch(() => 0));
  });
  return async () => (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
}

/** Signs the demo's citizen in on the portal (phone and demo password). */
async function signInCitizen(page, base) {
  await page.goto(`${base}/cong-dan/dang-nhap`);
  await page.locator('#f-contact').fill('0912 000 111');
  await page.locator('#f-password').fill('motcua-demo');
  await Promise.all([page.waitForURL(/\/cong-dan\/tai-khoan$/), page.locator('#f-password').press('Enter')]);
}

/**
 * Submits `procedure` online at the Đô Lương centre with a PDF for each
 * mandatory document; answers the new dossier's code.
 */
async function submitOnline(page, base, procedure) {
  await page.goto(`${base}/cong-dan/nop/${procedure}`);
  const place = page.locator('#s-unit option', { hasText: 'Đô Lương' }).first();
  await page.locator('#s-unit').selectOption(await place.getAttribute('value'));
  await page.locator('#s-identity').fill('040095000123');
  await page.locator('#s-phone').fill('0912 000 111');
  await page.locator('#s-address').fill('Xóm 3, xã Đô Lương, Nghệ An');
  const required = page.locator('.doc', { has: page.locator('.req') });
  for (let i = 0; i < await required.count(); i += 1) {
    await required.nth(i).locator('input[type=file]').setInputFiles({
      name: `giay-to-${i + 1}.pdf`, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${i}\n%%EOF\n`),
    });
  }
  await Promise.all([page.waitForURL(/\/cong-dan\/ho-so\/.+\?moi=1$/), page.locator('button.primary', { hasText: 'Nộp hồ sơ' }).click()]);
  return decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
}

/** Opens a staff action's fold on a dossier page and answers it. */
async function openStaffAction(page, name) {
  const fold = page.locator('details.action', { has: page.locator(`input[name=action][value=${name}]`) });
  if ((await fold.getAttribute('open')) === null) await fold.locator('summary').click();
  return fold;
}

/** The centre's desk officer opens `code` and accepts it; answers their page. */
async function deskAccepts(base, code) {
  const desk = await newPage(env.browser);
  await signIn(desk, base, 'motcua.dl');
  await desk.goto(`${base}/ho-so/${code}`);
  await (await openStaffAction(desk, 'accept_online')).locator('button[type=submit]').click();
  await desk.getByText('Đã thực hiện').first().waitFor();
  return desk;
}

/** The citizen pays `code`'s fee at the demo's gateway and comes back (`shot` names a screenshot of the gateway). */
async function payOnline(citizen, base, code, shot) {
  await citizen.goto(`${base}/cong-dan/ho-so/${code}`);
  await citizen.locator('button', { hasText: 'Thanh toán trực tuyến' }).click();
  await Promise.all([citizen.waitForURL(/\/pay\?/), citizen.locator('#to-gateway').click()]);
  if (shot) await screenshot(citizen, shot);
  await Promise.all([citizen.waitForURL(/\?tt=ok$/), citizen.locator('a', { hasText: 'Thanh toán' }).click()]);
}

async function fitsThePhone(page, what) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `${what} is ${width} px wide on a 390 px phone`);
}

test('a visitor finds a procedure and follows a dossier on a phone', () =>
  keepFailures(env.browser, 'portal', async () => {
    const base = env.server.url;

    // The address printed under the QR code of a demo dossier's receipt.
    const desk = await newPage(env.browser);
    await signIn(desk, base, 'motcua.dl');
    const list = await desk.request.get(`${base}/api/dossiers?limit=1&status=processing`);
    assert.equal(list.status(), 200);
    const code = (await list.json()).items[0].code;
    const view = await (await desk.request.get(`${base}/api/dossiers/${code}`)).json();
    const statusUrl = view.status_url;
    assert.match(statusUrl, new RegExp(`/tra-cuu/${code.replace(/\./g, '\\.')}\\?t=.+`));
    const applicant = view.applicant.name;

    const page = await phone(env.browser);
    let weight = weigh(page);
    await page.goto(`${base}/cong-dan`);
    await fitsThePhone(page, 'the home page');
    assert.ok((await weight()) < 300_000, 'the home page under 300 KB');
    await screenshot(page, 'portal-home');

    // Typed without diacritics, Enter: the hits.
    await page.locator('#home-q').fill('dang ky khai sinh');
    await Promise.all([page.waitForURL(/\/cong-dan\/thu-tuc\?q=/), page.keyboard.press('Enter')]);
    const hit = page.locator('ol.procedure-list a', { hasText: 'Thủ tục đăng ký khai sinh' }).first();
    await hit.waitFor();
    await fitsThePhone(page, 'the hits');
    await screenshot(page, 'portal-hits');

    weight = weigh(page);
    await Promise.all([page.waitForURL(/\/cong-dan\/thu-tuc\/1\.001193$/), hit.click()]);
    assert.match(await page.locator('h1').innerText(), /Thủ tục đăng ký khai sinh/);
    const facts = await page.locator('dl.facts').innerText();
    assert.match(facts, /Thời hạn giải quyết/);
    assert.match(facts, /Dịch vụ công trực tuyến toàn trình/);
    assert.ok((await page.locator('ol.components li').count()) >= 1, 'the documents are listed');
    assert.ok((await page.locator('#places-title + ul li').count()) >= 1, 'where to submit');
    await fitsThePhone(page, 'the procedure page');
    assert.ok((await weight()) < 300_000, 'the procedure page under 300 KB');
    await screenshot(page, 'portal-procedure');

    // The QR code's address opens the dossier's progress.
    await page.goto(`${base}${statusUrl}`);
    assert.match(await page.locator('h1').innerText(), new RegExp(code.replace(/\./g, '\\.')));
    assert.match(await page.locator('.badge').innerText(), /Đang xử lý/);
    const body = await page.locator('main').innerText();
    assert.ok(!body.includes(applicant), 'the applicant is not named');
    await fitsThePhone(page, 'the status page');
    await screenshot(page, 'portal-status');

    // A mistyped check value: told so, on the form, nothing of the dossier.
    await page.goto(`${base}/tra-cuu`);
    await page.locator('#lookup-code').fill(code);
    await page.locator('#lookup-t').fill('sai-ma');
    await Promise.all([page.waitForURL(/\/tra-cuu\?/), page.locator('#lookup-t').press('Enter')]);
    assert.match(await page.locator('[role=alert]').innerText(), /Không tìm thấy hồ sơ/);

    // Without JavaScript the same pages read the same.
    const plain = await phone(env.browser, false);
    await plain.goto(`${base}/cong-dan/thu-tuc?q=ket+hon`);
    assert.ok((await plain.locator('ol.procedure-list a', { hasText: 'Thủ tục đăng ký kết hôn' }).count()) >= 1);
    await plain.goto(`${base}${statusUrl}`);
    assert.match(await plain.locator('.badge').innerText(), /Đang xử lý/);
  }));

/** The newest six-digit code the demo wrote for `recipient` (it logs every
 * message instead of sending it), waiting for the dispatcher. */
async function codeFor(dir, recipient) {
  const file = join(dir, 'data', 'notifications.log');
  for (let i = 0; i < 100; i += 1) {
    if (existsSync(file)) {
      const lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const mine = lines.filter((m) => m.recipient === recipient);
      const code = mine.length ? /\b(\d{6})\b/.exec(mine[mine.length - 1].body) : null;
      if (code) return code[1];
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no code for ${recipient} in ${file}`);
}

test('a citizen registers on a phone, confirms with the code and signs in', () =>
  keepFailures(env.browser, 'portal-account', async () => {
    const base = env.server.url;
    const page = await phone(env.browser);
    await page.goto(`${base}/cong-dan`);
    await Promise.all([page.waitForURL(/\/cong-dan\/dang-nhap/), page.locator('header a', { hasText: 'Tài khoản' }).click()]);
    await Promise.all([page.waitForURL(/\/cong-dan\/dang-ky$/), page.locator('a', { hasText: 'Chưa có tài khoản' }).click()]);
    await page.locator('#f-full_name').fill('Phạm Thị Hoa');
    await page.locator('#f-contact').fill('0977 123 456');
    await page.locator('#f-password').fill('hoa-mat-khau-1');
    await fitsThePhone(page, 'the registration form');
    await screenshot(page, 'portal-register');
    await page.locator('button.primary', { hasText: 'Đăng ký' }).click();
    await page.locator('[role=status]', { hasText: '097****456' }).waitFor();

    const code = await codeFor(env.server.dir, '0977123456');
    await page.locator('#f-code').fill(code);
    await page.locator('button.primary', { hasText: 'Xác nhận' }).click();
    await page.locator('[role=status]', { hasText: 'đã được xác nhận' }).waitFor();
    await page.locator('#f-password').fill('hoa-mat-khau-1');
    await Promise.all([page.waitForURL(/\/cong-dan\/tai-khoan$/), page.locator('#f-password').press('Enter')]);
    assert.match(await page.locator('main').innerText(), /Phạm Thị Hoa/);
    await fitsThePhone(page, 'the account page');
    await screenshot(page, 'portal-account');
    await Promise.all([page.waitForURL(`${base}/cong-dan`), page.locator('button', { hasText: 'Đăng xuất' }).click()]);

    // The demo's own citizen signs in with the demo password.
    await page.goto(`${base}/cong-dan/dang-nhap`);
    await page.locator('#f-contact').fill('0912 000 111');
    await page.locator('#f-password').fill('motcua-demo');
    await Promise.all([page.waitForURL(/\/cong-dan\/tai-khoan$/), page.locator('#f-password').press('Enter')]);
    assert.match(await page.locator('main').innerText(), /Nguyễn Văn Dân/);
  }));

test('a citizen submits online with a file and the desk accepts it', () =>
  keepFailures(env.browser, 'portal-submit', async () => {
    const base = env.server.url;
    const citizen = await phone(env.browser);
    await signInCitizen(citizen, base);

    await citizen.goto(`${base}/cong-dan/thu-tuc/1.001193`);
    await Promise.all([citizen.waitForURL(/\/cong-dan\/nop\/1\.001193$/), citizen.locator('a.button', { hasText: 'Nộp hồ sơ trực tuyến' }).click()]);
    const place = citizen.locator('#s-unit option', { hasText: 'Trung tâm Phục vụ hành chính công xã Đô Lương' });
    await citizen.locator('#s-unit').selectOption(await place.getAttribute('value'));
    await citizen.locator('#s-identity').fill('040095000123');
    await citizen.locator('#s-phone').fill('0912 000 111');
    await citizen.locator('#s-address').fill('Xóm 3, xã Đô Lương, Nghệ An');
    // A file for each mandatory document, a PDF as a phone's scanner makes.
    const required = citizen.locator('.doc', { has: citizen.locator('.req') });
    const n = await required.count();
    assert.ok(n >= 1, 'the procedure has mandatory documents');
    for (let i = 0; i < n; i += 1) {
      await required.nth(i).locator('input[type=file]').setInputFiles({
        name: `giay-to-${i + 1}.pdf`, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% giay to ${i + 1}\n%%EOF\n`),
      });
    }
    await fitsThePhone(citizen, 'the submission form');
    await screenshot(citizen, 'portal-submit-form');
    await Promise.all([citizen.waitForURL(/\/cong-dan\/ho-so\/.+\?moi=1$/), citizen.locator('button.primary', { hasText: 'Nộp hồ sơ' }).click()]);
    const code = decodeURIComponent(new URL(citizen.url()).pathname.split('/').pop());
    assert.match(await citizen.locator('.badge').innerText(), /Chờ tiếp nhận/);
    await screenshot(citizen, 'portal-submitted');

    // The desk of the centre opens it and accepts it: the clock starts.
    const desk = await newPage(env.browser);
    await signIn(desk, base, 'motcua.dl');
    await desk.goto(`${base}/ho-so?status=awaiting_online_reception&sort=newest`);
    const row = desk.locator('tbody tr', { hasText: code });
    assert.equal(await row.count(), 1, 'the desk sees the online dossier waiting');
    await Promise.all([desk.waitForURL(`${base}/ho-so/${code}`), row.getByRole('link', { name: code }).click()]);
    await (await openStaffAction(desk, 'accept_online')).locator('button[type=submit]').click();
    await desk.getByText('Đã thực hiện').first().waitFor();
    assert.equal(await desk.locator('.page-head .badge').innerText(), 'Mới tiếp nhận');

    await citizen.reload();
    assert.match(await citizen.locator('.badge').innerText(), /Mới tiếp nhận/);
    assert.match(await citizen.locator('dl.facts').innerText(), /Hẹn trả kết quả/);
  }));

test('a citizen signs in with VNeID on a phone', () =>
  keepFailures(env.browser, 'portal-vneid', async () => {
    const base = env.server.url;
    const page = await phone(env.browser);
    await page.goto(`${base}/cong-dan/dang-nhap`);
    // To the provider (the demo's simulator), pick the person, and back.
    await Promise.all([page.waitForURL(/\/authorize\?/), page.locator('a', { hasText: 'VNeID' }).click()]);
    await screenshot(page, 'portal-vneid-provider');
    await Promise.all([page.waitForURL(`${base}/cong-dan/tai-khoan`), page.locator('a', { hasText: 'Trần Thị Hạnh' }).click()]);
    const main = await page.locator('main').innerText();
    assert.match(main, /Trần Thị Hạnh/);
    assert.match(main, /Đã xác thực/);
    await screenshot(page, 'portal-vneid-account');
  }));

test('a citizen pays the fee online through the gateway', () =>
  keepFailures(env.browser, 'portal-pay', async () => {
    const base = env.server.url;
    const citizen = await phone(env.browser);
    await signInCitizen(citizen, base);
    // "Đăng ký thành lập hộ kinh doanh" carries a fee.
    const code = await submitOnline(citizen, base, '1.001612');

    const desk = await deskAccepts(base, code);

    // To the gateway (the demo's simulator), pay, and back.
    await payOnline(citizen, base, code, 'portal-pay-gateway');
    assert.match(await citizen.locator('main').innerText(), /Đã thanh toán trực tuyến/);
    assert.equal(await citizen.locator('button', { hasText: 'Thanh toán trực tuyến' }).count(), 0, 'nothing more to pay');
    await screenshot(citizen, 'portal-paid');
  }));

test('the specialist finds a document missing, the desk asks for it and the citizen supplies it online', () =>
  keepFailures(env.browser, 'portal-supplement', async () => {
    const base = env.server.url;
    const citizen = await phone(env.browser);
    await signInCitizen(citizen, base);
    // "Đăng ký thành lập hộ kinh doanh": reviewed by a specialist.
    const code = await submitOnline(citizen, base, '1.001612');

    // The desk accepts it and hands it to the specialist.
    const desk = await deskAccepts(base, code);
    const handOver = await openStaffAction(desk, 'hand_over');
    await handOver.locator('select[name=to_user]').selectOption('chuyenvien.dl');
    await handOver.locator('button[type=submit]').click();
    await desk.locator('.page-head .badge', { hasText: 'Đang xử lý' }).waitFor();

    // The specialist finds a scan unreadable and proposes a supplement.
    const specialist = await newPage(env.browser);
    await signIn(specialist, base, 'chuyenvien.dl');
    await specialist.goto(`${base}/ho-so/${code}`);
    const propose = await openStaffAction(specialist, 'propose');
    await propose.locator('select[name=proposal]').selectOption('supplement');
    await propose.locator('button[type=submit]').click();
    await specialist.getByText('Đã thực hiện').first().waitFor();

    // The desk, now holding it, issues the request (form 02).
    await desk.goto(`${base}/ho-so/${code}`);
    const ask = await openStaffAction(desk, 'request_supplement');
    await ask.locator('textarea[name=items]').fill('Giấy đề nghị đăng ký hộ kinh doanh: bản chụp rõ nét');
    await ask.locator('textarea[name=reason]').fill('Bản chụp giấy đề nghị bị mờ');
    await ask.locator('button[type=submit]').click();
    await desk.locator('.page-head .badge', { hasText: 'Chờ bổ sung' }).waitFor();

    // The citizen reads what is asked and answers with a file.
    await citizen.goto(`${base}/cong-dan/ho-so/${code}`);
    const main = await citizen.locator('main').innerText();
    assert.match(main, /Yêu cầu bổ sung hồ sơ/);
    assert.match(main, /Bản chụp giấy đề nghị bị mờ/);
    await fitsThePhone(citizen, 'the supplement form');
    await screenshot(citizen, 'portal-supplement');
    await citizen.locator('#supply-1').setInputFiles({
      name: 'giay-de-nghi-ro.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    });
    await Promise.all([citizen.waitForURL(`${base}/cong-dan/ho-so/${code}`), citizen.locator('button', { hasText: 'Gửi bổ sung' }).click()]);
    assert.match(await citizen.locator('.badge').first().innerText(), /Đang xử lý/);
    assert.match(await citizen.locator('main').innerText(), /giay-de-nghi-ro\.png/);

    // Processing resumes with the specialist, who sees the new file.
    await specialist.goto(`${base}/ho-so/${code}`);
    assert.equal(await specialist.locator('.page-head .badge').innerText(), 'Đang xử lý');
    assert.match(await specialist.locator('main').innerText(), /giay-de-nghi-ro\.png/);
    assert.equal(await specialist.locator('details.action', { has: specialist.locator('input[name=action][value=hand_over]') }).count(), 1, 'the specialist holds it again');
  }));

test('the citizen downloads the result, rates the service, and nobody else sees the dossier', () =>
  keepFailures(env.browser, 'portal-result', async () => {
    const base = env.server.url;
    const citizen = await phone(env.browser);
    await signInCitizen(citizen, base);
    // "Đăng ký thành lập hộ kinh doanh": an internal process (specialist,
    // then leader) and a fee.
    const code = await submitOnline(citizen, base, '1.001612');

    // The desk accepts; the citizen pays; the desk hands over, the
    // specialist sends it to the leader, who attaches the result and
    // signs; the desk returns it.
    const desk = await deskAccepts(base, code);
    await payOnline(citizen, base, code);
    await desk.reload();
    const handOver = await openStaffAction(desk, 'hand_over');
    await handOver.locator('select[name=to_user]').selectOption('chuyenvien.dl');
    await handOver.locator('button[type=submit]').click();
    await desk.locator('.page-head .badge', { hasText: 'Đang xử lý' }).waitFor();
    const specialist = await newPage(env.browser);
    await signIn(specialist, base, 'chuyenvien.dl');
    await specialist.goto(`${base}/ho-so/${code}`);
    const send = await openStaffAction(specialist, 'hand_over');
    await send.locator('select[name=to_user]').selectOption('lanhdao.dl');
    await send.locator('button[type=submit]').click();
    await specialist.getByText('Đã thực hiện: Chuyển xử lý.').waitFor();
    const leader = await newPage(env.browser);
    await signIn(leader, base, 'lanhdao.dl');
    await leader.goto(`${base}/ho-so/${code}`);
    const attach = leader.locator('form.attach');
    await attach.locator('select[name=kind]').selectOption('result');
    const result = '%PDF-1.4\n% giay chung nhan ho kinh doanh\n%%EOF\n';
    await attach.locator('input[type=file]').setInputFiles({ name: 'giay-chung-nhan.pdf', mimeType: 'application/pdf', buffer: Buffer.from(result) });
    await attach.locator('button[type=submit]').click();
    await leader.getByText('Đã đính kèm tệp vào hồ sơ.').waitFor();
    const sign = await openStaffAction(leader, 'sign_result');
    await sign.locator('input[name=result_number]').fill('88/GCN-HKD');
    await sign.locator('input[name=result_digitised]').check();
    await sign.locator('button[type=submit]').click();
    await leader.getByText('Đã thực hiện: Phê duyệt, ký kết quả.').waitFor();
    await desk.goto(`${base}/ho-so/${code}`);
    const ret = await openStaffAction(desk, 'record_return');
    await ret.locator('input[name=collector_name]').fill('Nguyễn Văn Dân');
    await ret.locator('button[type=submit]').click();
    await desk.getByText('Đã thực hiện: Trả kết quả.').waitFor();

    // The citizen downloads the electronic result: the very bytes signed.
    await citizen.goto(`${base}/cong-dan/ho-so/${code}`);
    assert.match(await citizen.locator('.badge').first().innerText(), /Đã trả kết quả/);
    const link = citizen.locator('li', { hasText: 'giay-chung-nhan.pdf' }).locator('a');
    const href = await link.getAttribute('href');
    const got = await citizen.request.get(`${base}${href}`);
    assert.equal(got.status(), 200);
    assert.equal((await got.body()).toString(), result);
    assert.match(got.headers()['content-type'], /application\/pdf/);

    // One rating form, answered with the keyboard-free phone way: taps.
    assert.equal(await citizen.locator('form.rating').count(), 1, 'the form appears once');
    await fitsThePhone(citizen, 'the rating form');
    const rating = citizen.locator('form.rating');
    await rating.locator('input[name=overall][value="5"]').check();
    await rating.locator('input[name=civil_servant][value="4"]').check();
    await rating.locator('#rate-comment').fill('Cán bộ hướng dẫn tận tình.');
    await screenshot(citizen, 'portal-rating');
    await Promise.all([citizen.waitForURL(`${base}/cong-dan/ho-so/${code}`), rating.locator('button[type=submit]').click()]);
    assert.match(await citizen.locator('main').innerText(), /Cảm ơn bạn đã đánh giá: mức độ hài lòng chung 5\/5/);
    assert.equal(await citizen.locator('form.rating').count(), 0, 'rated once');

    // A second citizen (signed in through VNeID) finds nothing there, nor
    // the file; exactly as for a code that does not exist.
    const other = await phone(env.browser);
    await other.goto(`${base}/cong-dan/dang-nhap`);
    await Promise.all([other.waitForURL(/\/authorize\?/), other.locator('a', { hasText: 'VNeID' }).click()]);
    await Promise.all([other.waitForURL(`${base}/cong-dan/tai-khoan`), other.locator('a', { hasText: 'Trần Thị Hạnh' }).click()]);
    const theirs = await other.goto(`${base}/cong-dan/ho-so/${code}`);
    assert.equal(theirs.status(), 404);
    const theirsText = await other.locator('main').innerText();
    const missing = await other.goto(`${base}/cong-dan/ho-so/000.01.41.H40-991231-9999`);
    assert.equal(missing.status(), 404);
    assert.equal(theirsText, await other.locator('main').innerText());
    assert.equal((await other.request.get(`${base}${href}`)).status(), 404);
    assert.doesNotMatch(await (await other.goto(`${base}/cong-dan/tai-khoan`)).text(), new RegExp(code));
  }));

test('a citizen sends feedback, the centre answers and publishes it, the public reads it', () =>
  keepFailures(env.browser, 'portal-feedback', async () => {
    const base = env.server.url;
    const citizen = await phone(env.browser);
    await signInCitizen(citizen, base);
    await citizen.goto(`${base}/cong-dan/phan-anh/gui`);
    const centre = citizen.locator('#fb-unit option', { hasText: 'Trung tâm Phục vụ hành chính công xã Đô Lương' });
    await citizen.locator('#fb-unit').selectOption(await centre.getAttribute('value'));
    await citizen.locator('#fb-category').selectOption('dossier_handling');
    await citizen.locator('#fb-title').fill('Không được hướng dẫn bổ sung');
    // Too short first: the form comes back with what was typed.
    await citizen.locator('#fb-content').fill('Ngắn');
    await citizen.locator('button.primary', { hasText: 'Gửi phản ánh' }).click();
    assert.match(await citizen.locator('#form-error').innerText(), /Nội dung từ 10/);
    assert.equal(await citizen.locator('#fb-title').inputValue(), 'Không được hướng dẫn bổ sung');
    await citizen.locator('#fb-content').fill('Hồ sơ của tôi bị trả lại nhưng không được nói rõ cần bổ sung giấy tờ gì.');
    await fitsThePhone(citizen, 'the feedback form');
    await screenshot(citizen, 'portal-feedback-form');
    await Promise.all([citizen.waitForURL(/\/cong-dan\/phan-anh\/PA-\d{4}-\d{6}\?moi=1$/), citizen.locator('button.primary', { hasText: 'Gửi phản ánh' }).click()]);
    const code = new URL(citizen.url()).pathname.split('/').pop();
    assert.match(await citizen.locator('main').innerText(), /Đã gửi phản ánh/);

    // The centre's desk officer finds it, accepts, answers and publishes.
    const desk = await newPage(env.browser);
    await signIn(desk, base, 'motcua.dl');
    await desk.goto(`${base}/phan-anh?status=received`);
    const row = desk.locator('tbody tr', { hasText: code });
    assert.equal(await row.count(), 1, 'the desk sees the new feedback');
    await Promise.all([desk.waitForURL(`${base}/phan-anh/${code}`), row.getByRole('link', { name: code }).click()]);
    await desk.locator('#act-accept + form button[type=submit]').click();
    await desk.locator('#act-answer').waitFor();
    await desk.locator('#answer-text').fill('Trung tâm đã liên hệ, hướng dẫn ông bổ sung tờ khai và nhắc nhở công chức hướng dẫn một lần, đầy đủ.');
    await desk.locator('#act-answer + form button[type=submit]').click();
    await desk.locator('#act-publish + form button[type=submit]').click();
    await desk.locator('h2 .badge', { hasText: 'Đã công khai' }).waitFor();
    await screenshot(desk, 'staff-feedback');

    // Anyone reads the answer; the signed-in citizen agrees with it.
    const visitor = await phone(env.browser, false);
    await visitor.goto(`${base}/cong-dan/phan-anh`);
    await visitor.locator('a', { hasText: 'Không được hướng dẫn bổ sung' }).first().click();
    assert.match(await visitor.locator('main').innerText(), /hướng dẫn một lần, đầy đủ/);
    await citizen.goto(`${base}/cong-dan/phan-anh/${code}`);
    await Promise.all([citizen.waitForURL(`${base}/cong-dan/phan-anh/${code}`), citizen.locator('button', { hasText: 'Đồng tình' }).first().click()]);
    assert.equal(await citizen.locator('[data-likes]').innerText(), '1');
    await screenshot(citizen, 'portal-feedback-published');
  }));
