// A dossier's whole way through the one-stop desk, by three people of the
// demo data, in the browser:
//
//   motcua.dl (desk officer, Đô Lương commune service centre) receives it at /tiep-nhan and
//     hands it over to the specialist, with the keyboard alone;
//   chuyenvien.dl (specialist) finds it in "Giao cho tôi" at /hang-doi and
//     sends it to the leader for approval;
//   lanhdao.dl (leader) finds it in "Chờ tôi phê duyệt" and signs the result;
//   motcua.dl finds it among the dossiers done at /ho-so and records the
//     return to the applicant, with the keyboard again.
//
// "Đăng ký thành lập hộ kinh doanh" (1.001612, 3 working days, 100.000 đ) is
// one of the procedures the demo gives a process at Đô Lương: the desk's own
// step, then a specialist of the district's Phòng Tư pháp, then the
// district's leader.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoSuite } from './lib/suite.mjs';
import { focusedId, keepFailures, newPage, screenshot, signIn } from './lib/browser.mjs';

const env = demoSuite();

const APPLICANT = 'Nguyễn Thị Hồng Nhung';
const IDENTITY = '040196001234';

/** The status badge at the top of a dossier page. */
const status = (page) => page.locator('.page-head .badge').innerText();

/** An action's fold on a dossier page (`hand_over`, `sign_result`, …). */
const action = (page, name) => page.locator('details.action', { has: page.locator(`input[name=action][value=${name}]`) });

/** Opens an action's fold with a click, unless it is the only one (open already). */
async function openAction(page, name) {
  const fold = action(page, name);
  if ((await fold.getAttribute('open')) === null) await fold.locator('summary').click();
  return fold;
}

test('reception, hand-over, approval, result and return by three users', () =>
  keepFailures(env.browser, 'journey1', async () => {
    const base = env.server.url;

    // 1. The desk officer, keyboard only: search, pick, fill, receive.
    const desk = await newPage(env.browser);
    await signIn(desk, base, 'motcua.dl');
    await desk.goto(`${base}/tiep-nhan`);
    assert.equal(await focusedId(desk), 'desk-q', 'the search has the focus');
    // Typed without diacritics, as a hurried officer does.
    await desk.keyboard.type('thanh lap ho kinh doanh');
    const hit = desk.locator('#procedure-hits a', { hasText: 'Đăng ký thành lập hộ kinh doanh' });
    await hit.waitFor();
    assert.match(await hit.innerText(), /1\.001612/);
    // Tab from the search box past its button to the first hit, Enter opens the form.
    await desk.keyboard.press('Tab');
    await desk.keyboard.press('Tab');
    const first = await desk.evaluate(() => document.activeElement?.closest('#procedure-hits a')?.textContent ?? '');
    assert.match(first, /^Đăng ký thành lập hộ kinh doanh 1\.001612/, 'Tab reaches the first hit');
    await desk.keyboard.press('Enter');
    const form = desk.locator('form.reception');
    await form.waitFor();
    assert.equal(await form.locator('h2').innerText(), 'Đăng ký thành lập hộ kinh doanh');
    const facts = await form.locator('dl.facts').innerText();
    assert.match(facts, /100\.000 đ/);
    assert.match(facts, /3 ngày làm việc/);
    assert.match(facts, /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/, 'the appointment is computed');
    await desk.waitForFunction(() => document.activeElement?.id === 'a-name');
    await desk.keyboard.type(APPLICANT);
    await desk.keyboard.press('Tab');
    await desk.keyboard.type(IDENTITY);
    await desk.keyboard.press('Tab');
    await desk.keyboard.type('0912 345 678');
    // The checklist starts unticked: Enter now is refused, naming what is missing.
    await Promise.all([desk.waitForLoadState('domcontentloaded'), desk.keyboard.press('Enter')]);
    await desk.locator('#components-error').waitFor();
    assert.match(await desk.locator('#components-error').innerText(), /Chưa đánh dấu đã nhận giấy tờ bắt buộc/);
    // Tick each document received (Space on each box), then Enter in a field.
    const boxes = desk.locator('form.reception input[name$="_received"]');
    for (let i = 0; i < (await boxes.count()); i += 1) {
      await boxes.nth(i).focus();
      await desk.keyboard.press('Space');
    }
    // Each document that must be digitised asks for its scan: choose one
    // for every row (as the scanner's file), so each counts as digitised.
    const scans = form.locator('input[type=file][name$="_scan"]');
    assert.ok((await form.locator('.scan-label').count()) > 0, 'a document must be digitised');
    for (let i = 0; i < (await scans.count()); i += 1) {
      await scans.nth(i).setInputFiles({
        name: `ban-quet-${i + 1}.pdf`,
        mimeType: 'application/pdf',
        buffer: Buffer.from(`%PDF-1.4\n% ban quet ${i + 1}\n%%EOF\n`),
      });
    }
    await screenshot(desk, '01-desk-reception-form');
    await desk.locator('#a-phone, input[name=phone]').first().focus();
    // Enter in a field submits the form: the dossier page, receipt link focused.
    await Promise.all([desk.waitForURL(/\/ho-so\/[^/?]+\?moi=1$/), desk.keyboard.press('Enter')]);
    const code = decodeURIComponent(new URL(desk.url()).pathname.split('/').pop());
    assert.match(code, /^000\.01\.41\.H40-\d{6}-\d{4}$/, 'a dossier code of the Đô Lương service centre');
    assert.equal(await desk.locator('h1').innerText(), `Hồ sơ ${code}`);
    assert.equal(await status(desk), 'Mới tiếp nhận');
    await desk.getByText('Đã tiếp nhận hồ sơ. Nhấn Enter để in giấy tiếp nhận').waitFor();
    const focused = await desk.evaluate(() => document.activeElement?.getAttribute('href'));
    assert.equal(focused, `/api/dossiers/${code}/forms/receipt.pdf`, 'Enter prints the receipt');
    assert.match(await desk.locator('.dossier-body').innerText(), new RegExp(APPLICANT));
    // The scans are the components' files.
    const api = await desk.request.get(`${base}/api/dossiers/${encodeURIComponent(code)}`);
    const received = await api.json();
    assert.ok(received.components.length > 0);
    for (const c of received.components) {
      assert.equal(c.digitised, true, `${c.name} counts as digitised`);
      assert.ok(Number.isInteger(c.file_id), `${c.name} has its scan`);
    }
    await screenshot(desk, '02-desk-received');

    // Hand-over to the specialist: open the action, choose, submit, all by keyboard.
    const handOver = action(desk, 'hand_over');
    await handOver.locator('summary').focus();
    await desk.keyboard.press('Enter');
    assert.equal(await handOver.getAttribute('open'), '', 'Enter opens the action');
    await desk.keyboard.press('Tab');
    assert.equal(await focusedId(desk), 'hand_over-to-user');
    // The first person after "anyone at that step" is the specialist.
    await desk.keyboard.press('ArrowDown');
    assert.equal(await handOver.locator('select[name=to_user]').inputValue(), 'chuyenvien.dl');
    await desk.keyboard.press('Tab');
    assert.equal(await focusedId(desk), 'hand_over-note');
    await desk.keyboard.press('Enter');
    await desk.getByText('Đã thực hiện: Chuyển xử lý.').waitFor();
    assert.equal(await status(desk), 'Đang xử lý');
    assert.match(await desk.locator('#steps-title + .scroll').innerText(), /Thẩm định hồ sơ, trình ký[\s\S]*Vũ Quốc Bảo/);
    await screenshot(desk, '03-desk-handed-over');

    // 2. The specialist finds it first in "Giao cho tôi" (newest first) and sends it on.
    const specialist = await newPage(env.browser);
    await signIn(specialist, base, 'chuyenvien.dl');
    await specialist.goto(`${base}/hang-doi?tab=mine&sort=newest`);
    // The tab says how many dossiers wait in it: this one at least.
    assert.match(await specialist.locator('nav.tabs [aria-current=page]').innerText(), /^Giao cho tôi [1-9]\d*\+?$/);
    const row = specialist.locator('#queue-results tbody tr').first();
    assert.equal(await row.locator('td.code').innerText(), code);
    assert.match(await row.innerText(), new RegExp(APPLICANT));
    await screenshot(specialist, '04-specialist-queue');
    await Promise.all([specialist.waitForURL(`${base}/ho-so/${code}`), row.locator('td.code a').click()]);
    assert.equal(await status(specialist), 'Đang xử lý');
    const send = await openAction(specialist, 'hand_over');
    await send.locator('select[name=to_user]').selectOption('lanhdao.dl');
    await send.locator('input[name=note]').fill('Hồ sơ hợp lệ, trình lãnh đạo ký.');
    await send.locator('button[type=submit]').click();
    // The dossier as it left the office: with the leader, nothing left to do here.
    await specialist.getByText('Đã thực hiện: Chuyển xử lý.').waitFor();
    assert.match(await specialist.locator('.timeline').innerText(), /Hồ sơ hợp lệ, trình lãnh đạo ký\./);
    assert.match(await specialist.locator('#steps-title + .scroll').innerText(), /Phê duyệt, ký kết quả[\s\S]*Phạm Văn Hùng/);
    assert.equal(await specialist.locator('details.action').count(), 0);
    await screenshot(specialist, '05-specialist-sent-for-approval');
    await specialist.goto(`${base}/hang-doi?tab=mine&sort=newest`);
    assert.equal(await specialist.locator('#queue-results tbody tr', { hasText: code }).count(), 0, 'gone from the queue');

    // 3. The leader approves from "Chờ tôi phê duyệt".
    const leader = await newPage(env.browser);
    await signIn(leader, base, 'lanhdao.dl');
    await leader.goto(`${base}/hang-doi?tab=approval&sort=newest`);
    const mine = leader.locator('#queue-results tbody tr', { hasText: code });
    assert.equal(await mine.count(), 1, 'the dossier waits for the leader');
    await Promise.all([leader.waitForURL(`${base}/ho-so/${code}`), mine.locator('td.code a').click()]);
    // An electronic result needs its file: without one the form says so.
    let sign = await openAction(leader, 'sign_result');
    assert.equal(await sign.locator('input[name=result_digitised]').count(), 0);
    const attach = leader.locator('form.attach');
    await attach.locator('select[name=kind]').selectOption('result');
    await attach.locator('input[type=file]').setInputFiles({
      name: 'ket-qua.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% ket qua\n%%EOF\n'),
    });
    await attach.locator('button[type=submit]').click();
    await leader.getByText('Đã đính kèm tệp vào hồ sơ.').waitFor();
    sign = await openAction(leader, 'sign_result');
    await sign.locator('input[name=result_number]').fill('125/GCN-UBND');
    await sign.locator('input[name=result_digitised]').check();
    await sign.locator('button[type=submit]').click();
    await leader.getByText('Đã thực hiện: Phê duyệt, ký kết quả.').waitFor();
    assert.equal(await status(leader), 'Đã xử lý xong');
    assert.match(await leader.locator('.timeline').innerText(), /Số, ký hiệu kết quả: 125\/GCN-UBND/);
    await screenshot(leader, '06-leader-signed');

    // 4. The desk finds it among the dossiers done and records the return.
    await desk.goto(`${base}/ho-so?status=done&sort=newest`);
    const done = desk.locator('tbody tr', { hasText: code });
    assert.equal(await done.count(), 1, 'listed among the dossiers done');
    await Promise.all([desk.waitForURL(`${base}/ho-so/${code}`), done.getByRole('link', { name: code }).click()]);
    assert.equal(await status(desk), 'Đã xử lý xong');
    // The return with the keyboard: the only action is open; Tab past the
    // method (in person, as chosen at reception), type, Enter.
    const ret = await openAction(desk, 'record_return');
    assert.equal(await ret.locator('select[name=method]').inputValue(), 'in_person');
    await ret.locator('summary').focus();
    await desk.keyboard.press('Tab');
    assert.equal(await focusedId(desk), 'record_return-method');
    await desk.keyboard.press('Tab');
    assert.equal(await focusedId(desk), 'record_return-collector');
    await desk.keyboard.type(APPLICANT);
    await desk.keyboard.press('Tab');
    await desk.keyboard.type(IDENTITY);
    await desk.keyboard.press('Enter');
    await desk.getByText('Đã thực hiện: Trả kết quả.').waitFor();
    assert.equal(await status(desk), 'Đã trả kết quả');
    assert.match(await desk.locator('.timeline').innerText(), new RegExp(`Người nhận kết quả: ${APPLICANT}`));
    assert.equal(await desk.locator('details.action').count(), 0, 'nothing left to do');
    await screenshot(desk, '07-desk-returned');

    // The timeline: each step by its own person, in order.
    const steps = await desk.locator('.timeline > li > p:first-child').allInnerTexts();
    const byWhom = steps.map((l) => {
      const parts = l.split(' · ');
      return `${parts[0]} · ${parts.at(-1)}`;
    });
    // People by their full names, never by login.
    assert.deepEqual(byWhom, [
      'Tiếp nhận · Đặng Thị Mai',
      'Chuyển xử lý · Đặng Thị Mai',
      'Chuyển xử lý · Vũ Quốc Bảo',
      'Phê duyệt, ký kết quả · Phạm Văn Hùng',
      'Trả kết quả · Đặng Thị Mai',
    ]);
  }));
