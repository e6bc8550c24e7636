import { test, expect, Page, APIRequestContext } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { password, signIn, hydrated, tag, customer, customerList } from './helpers';

// The tenant end2end/serve.sh makes with names as long as Patron takes, and its users.
const longTenant = 'Kedai'.repeat(40);
const longOwner = `owner.${'a'.repeat(58)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(53)}.example`;
const cashier = 'cashier@long.e2e.test';

// The widths each project tries: desktop covers tablets and laptops, the phones their own width.
const widths: Record<string, number[]> = { desktop: [768, 1024, 1280], phone: [390], 'small-phone': [320] };

async function noSeriousViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), what).toEqual([]);
}

/** The row of a customer (a card where the list is narrow). */
function entry(page: Page, text: string) {
  return customerList(page).locator('tr').filter({ hasText: text }).filter({ visible: true });
}

/** Fails when the text of a statistics card (its label or number) reaches outside the card. */
async function statisticsFitTheirCards(page: Page, what: string) {
  const outside = await page.evaluate(() =>
    Array.from(document.querySelectorAll('section[aria-label="Statistics"] > div')).flatMap((card) => {
      const box = card.getBoundingClientRect();
      return Array.from(card.querySelectorAll('p')).flatMap((p) => {
        const range = document.createRange();
        range.selectNodeContents(p);
        const text = range.getBoundingClientRect();
        return text.left < box.left - 0.5 || text.right > box.right + 0.5
          ? [`"${p.textContent}" spans ${Math.round(text.left)}–${Math.round(text.right)} px in a card of ${Math.round(box.left)}–${Math.round(box.right)} px`]
          : [];
      });
    }),
  );
  expect(outside, what).toEqual([]);
}

/** Fails when the page, or any part of it that scrolls, is wider than it shows. */
async function nothingScrollsSideways(page: Page, what: string) {
  const wide = await page.evaluate(() => {
    const found: string[] = [];
    const page = document.documentElement;
    if (page.scrollWidth > window.innerWidth) found.push(`the page is ${page.scrollWidth} px wide in ${window.innerWidth} px`);
    for (const element of Array.from(document.querySelectorAll('body *'))) {
      const overflow = getComputedStyle(element).overflowX;
      if ((overflow === 'auto' || overflow === 'scroll') && element.scrollWidth > element.clientWidth + 1) {
        found.push(`<${element.tagName.toLowerCase()} class="${element.getAttribute('class')}"> scrolls ${element.scrollWidth - element.clientWidth} px`);
      }
    }
    return found;
  });
  expect(wide, what).toEqual([]);
}

/** Every visible button and link inside `scope` would take a real click (nothing lies over it). */
async function everyControlTakesAClick(scope: ReturnType<Page['locator']>, what: string) {
  const controls = scope.locator('button, a[href], input[type=checkbox]').filter({ visible: true });
  const all = await controls.all();
  expect(all.length, what).toBeGreaterThan(0);
  for (const control of all) {
    await control.click({ trial: true, timeout: 3_000 });
  }
}

async function tokenFor(request: APIRequestContext, email: string) {
  const login = await request.post('/api/auth/token/', { data: { email, password } });
  expect(login.status()).toBe(200);
  const { access } = await login.json();
  return { Authorization: `Bearer ${access}` };
}

async function create(request: APIRequestContext, headers: Record<string, string>, data: Record<string, unknown>) {
  const reply = await request.post('/api/customers/', { headers, data });
  expect(reply.status(), await reply.text()).toBe(201);
  return (await reply.json()).id as number;
}

/** Three customers of one run: every text at its longest, a name in Arabic, and emoji with combining marks. */
async function unusualCustomers(request: APIRequestContext, run: string) {
  const headers = await tokenFor(request, longOwner);
  const longest = await create(request, headers, {
    name: (run + 'Panjang'.repeat(40)).slice(0, 200),
    email: `${(run.toLowerCase() + 'e'.repeat(64)).slice(0, 64)}@${'r'.repeat(63)}.${'s'.repeat(63)}.${'t'.repeat(53)}.example`,
    phone: '+6281234567890123456',
    address: 'Jalan'.repeat(400),
    city: 'Kota'.repeat(25),
    province: 'Provinsi'.repeat(12) + 'Pro',
    postal_code: '1234567890',
    notes: 'Catatan'.repeat(285) + 'Catat',
    loyalty_points: 2147483647,
  });
  const arabic = `عائشة بنت أحمد الهاشمي ${run}`;
  const rtl = await create(request, headers, { name: arabic, email: `${run.toLowerCase()}.rtl@e2e.test`, city: 'الرياض' });
  const emoji = `Zoe\u0308 👩🏽‍🍳 Nguyễn Thị Minh Khai ${run}`;
  await create(request, headers, { name: emoji, email: `${run.toLowerCase()}.emoji@e2e.test` });
  return { longest, arabic, emoji, rtl };
}

test('the longest names, emails and texts fit every screen and every button takes a real click', async ({ page, request, isMobile }, testInfo) => {
  const run = tag('Long');
  const { longest, arabic, emoji } = await unusualCustomers(request, run);
  await signIn(page, longOwner, `/customers?search=${run}`);
  await hydrated(page);
  await expect(customer(page, arabic)).toHaveCount(1);
  for (const width of widths[testInfo.project.name]) {
    await page.setViewportSize({ width, height: 900 });
    const at = `at ${width} px`;
    await expect(page.getByText('Showing 1–3 of 3')).toBeVisible();
    await nothingScrollsSideways(page, `the list ${at}`);
    await statisticsFitTheirCards(page, `the statistics ${at}`);
    await everyControlTakesAClick(customerList(page), `the list's buttons and links ${at}`);
    await expect(entry(page, emoji).getByRole('link', { name: emoji })).toBeVisible();
    // The email is shortened; its full text is the title and the detail page.
    const email = entry(page, 'Panjang').getByTitle(/^long.*\.example$/i);
    await expect(email).toBeVisible();
  }
  // The tenant and the user, as long as they can be, in the menu or the sidebar.
  if (isMobile) {
    await expect(page.getByTitle(longTenant)).toBeVisible();
    await page.getByText('Menu').click();
  }
  await expect(page.getByRole('link', { name: longOwner })).toBeVisible();
  await nothingScrollsSideways(page, 'the page with its menu open');
  await everyControlTakesAClick(page.getByRole('navigation', { name: 'Main' }).filter({ visible: true }), 'the menu');
  await expect(page.getByRole('button', { name: 'Sign out' }).filter({ visible: true })).toBeVisible();
  await noSeriousViolations(page, 'the list with the longest values');

  await page.goto(`/customers/${longest}`);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(run);
  for (const width of widths[testInfo.project.name]) {
    await page.setViewportSize({ width, height: 900 });
    await nothingScrollsSideways(page, `the customer's page at ${width} px`);
    await everyControlTakesAClick(page.getByRole('main'), `the customer's page at ${width} px`);
  }
  await expect(page.getByRole('definition').filter({ hasText: /^2,147,483,647$/ })).toBeVisible();
  await noSeriousViolations(page, "the customer's page with the longest values");
});

test('a name in Arabic reads right to left inside a row that stays left to right', async ({ page, request }) => {
  const run = tag('Rtl');
  const { arabic, rtl } = await unusualCustomers(request, run);
  await signIn(page, longOwner, `/customers?search=${run}`);
  await hydrated(page);
  const item = customer(page, arabic);
  const name = item.getByRole('link', { name: arabic });
  await expect(name).toHaveAttribute('dir', 'auto');
  expect(await name.evaluate((e) => getComputedStyle(e).direction)).toBe('rtl');
  expect(await item.evaluate((e) => getComputedStyle(e).direction)).toBe('ltr');
  // Its buttons stay where every other row has them.
  const edit = await item.getByRole('button', { name: 'Edit' }).boundingBox();
  const other = await customer(page, 'Panjang').getByRole('button', { name: 'Edit' }).boundingBox();
  expect(edit && other && Math.abs(edit.x - other.x)).toBeLessThan(2);
  await page.goto(`/customers/${rtl}`);
  const heading = page.getByRole('heading', { level: 1, name: arabic });
  expect(await heading.evaluate((e) => getComputedStyle(e).direction)).toBe('rtl');
  await noSeriousViolations(page, 'a customer named in Arabic');
});

test('points are entered as a signed number: +50 gives, -20 takes, a cashier cannot take', async ({ page, request, browser, isMobile }) => {
  const name = tag('Signed');
  const headers = await tokenFor(request, longOwner);
  await create(request, headers, { name, email: `${name.toLowerCase()}@e2e.test`, loyalty_points: 460 });
  await signIn(page, longOwner, `/customers?search=${name}`);
  await hydrated(page);
  const item = customer(page, name);
  await expect(item.getByText('Silver', { exact: true })).toBeVisible();

  // +50, typed key by key: the preview shows Gold, and Gold it is.
  await item.getByRole('button', { name: 'Points' }).click();
  let dialog = page.getByRole('dialog', { name: `Points for ${name}` });
  await dialog.getByLabel('Points', { exact: true }).pressSequentially('+50');
  await expect(dialog.getByLabel('Add')).toBeChecked();
  await expect(dialog).toContainText('After this change: 510 points');
  await expect(dialog.getByText('Gold', { exact: true })).toBeVisible();
  await dialog.getByLabel('Reason').fill('Welcome back');
  await dialog.getByRole('button', { name: 'Update Points' }).click();
  await expect(page.getByRole('status')).toContainText(`${name} now has 510 points.`);
  await expect(item.getByText('Gold', { exact: true })).toBeVisible();

  // -20, typed key by key: the minus chooses Deduct and the balance goes down to Silver.
  await item.getByRole('button', { name: 'Points' }).click();
  dialog = page.getByRole('dialog', { name: `Points for ${name}` });
  const field = dialog.getByLabel('Points', { exact: true });
  await field.pressSequentially('-20');
  await expect(field).toHaveValue('-20');
  await expect(dialog.getByLabel('Deduct')).toBeChecked();
  await expect(dialog).toContainText('After this change: 490 points');
  await noSeriousViolations(page, 'the points dialog with a deduction');
  // Add and Deduct turn the same number around.
  await dialog.getByLabel('Add').check();
  await expect(field).toHaveValue('20');
  await expect(dialog).toContainText('After this change: 530 points');
  await dialog.getByLabel('Deduct').check();
  await expect(field).toHaveValue('-20');
  await dialog.getByRole('button', { name: 'Update Points' }).click();
  await expect(page.getByRole('status')).toContainText(`${name} now has 490 points.`);
  await expect(item.getByText('Silver', { exact: true })).toBeVisible();

  // A cashier typing -5 is told beside the field, and nothing is sent.
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL, viewport: page.viewportSize(), isMobile, hasTouch: isMobile });
  const till = await context.newPage();
  await signIn(till, cashier, `/customers?search=${name}`);
  await hydrated(till);
  const sent: string[] = [];
  till.on('request', (r) => { if (r.url().includes('/sfn/') && r.method() === 'POST' && !r.url().includes('list')) sent.push(r.url()); });
  await customer(till, name).getByRole('button', { name: 'Points' }).click();
  const tillDialog = till.getByRole('dialog', { name: `Points for ${name}` });
  const tillField = tillDialog.getByLabel('Points to add');
  await tillField.pressSequentially('-5');
  await expect(tillDialog.getByText('Cashiers can only add points.')).toBeVisible();
  await expect(tillField).toHaveAttribute('aria-invalid', 'true');
  await expect(tillDialog.getByRole('button', { name: 'Update Points' })).toBeDisabled();
  await tillField.press('Enter');
  await expect(tillDialog).toBeVisible();
  expect(sent).toEqual([]);
  await noSeriousViolations(till, "the cashier's refused deduction");
  await context.close();
  const reply = await request.get(`/api/customers/?search=${name}`, { headers });
  expect((await reply.json()).results[0].loyalty_points).toBe(490);
});

test('pagination on a large tenant shows the first, the last and the pages around the current one', async ({ page }, testInfo) => {
  await signIn(page, longOwner, '/customers?page=50');
  await hydrated(page);
  const shown = await page.getByText(/Showing 491–500 of [\d,]+/).textContent();
  const count = Number((shown ?? '').replace(/.* of /, '').replace(/,/g, ''));
  const last = Math.ceil(count / 10);
  const bar = page.getByRole('navigation', { name: 'Pagination' });
  const numbers = bar.getByRole('link', { name: /^Page / });
  await expect(numbers).toHaveText(['1', '49', '50', '51', last.toLocaleString('en-US')]);
  await expect(bar.getByRole('link', { name: 'Page 50' })).toHaveAttribute('aria-current', 'page');
  await expect(bar.getByText('…')).toHaveCount(2);
  for (const width of widths[testInfo.project.name]) {
    await page.setViewportSize({ width, height: 900 });
    await nothingScrollsSideways(page, `page 50 at ${width} px`);
    await everyControlTakesAClick(bar, `the pagination bar at ${width} px`);
  }
  await noSeriousViolations(page, 'page 50 of a large tenant');
  await bar.getByRole('link', { name: `Page ${last.toLocaleString('en-US')}` }).click();
  await expect(page).toHaveURL(new RegExp(`page=${last}$`));
  await expect(numbers).toHaveText(['1', (last - 1).toLocaleString('en-US'), last.toLocaleString('en-US')]);
  await bar.getByRole('link', { name: 'Page 1', exact: true }).click();
  await expect(page).toHaveURL(/\/customers$/);
  await expect(page.getByText(/Showing 1–10 of/)).toBeVisible();
});

test('at 200% zoom on a 1280-pixel window every page reflows without scrolling sideways', async ({ browser, request }, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'zoom is a desktop browser setting');
  const run = tag('Zoom');
  const { longest } = await unusualCustomers(request, run);
  // 200% zoom of a 1280×800 window: a 640×400 CSS-pixel viewport drawn at twice the density.
  const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL, viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
  const page = await context.newPage();
  await signIn(page, longOwner, `/customers?search=${run}`);
  await hydrated(page);
  for (const path of [`/customers?search=${run}`, `/customers/${longest}`, '/customers?page=50', '/customers/duplicates',
    '/customers/import', '/settings/loyalty', '/settings/team', '/settings/activity', '/account']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await nothingScrollsSideways(page, `${path} at 200%`);
  }
  await page.goto(`/customers?search=${run}`);
  await hydrated(page);
  await everyControlTakesAClick(customerList(page), 'the list at 200%');
  await noSeriousViolations(page, 'the list at 200%');
  await context.close();
});
