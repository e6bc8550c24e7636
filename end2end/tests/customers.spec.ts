import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { signIn, hydrated, tag, customer, addCustomer, search, customerList, reloadsList, password } from './helpers';

test.beforeEach(async ({ page }) => {
  await signIn(page);
  await hydrated(page);
});

async function noSeriousViolations(page: import('@playwright/test').Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help}`), what).toEqual([]);
}

test('§2 the customers page is reached from the sidebar', async ({ page, isMobile }) => {
  await page.goto('/customers?page=2');
  if (isMobile) await page.getByText('Menu').click();
  await page.getByRole('link', { name: 'Customers' }).filter({ visible: true }).click();
  await expect(page).toHaveURL(/\/customers$/);
  await expect(page.getByRole('heading', { name: 'Customers', level: 1 })).toBeVisible();
});

test('§3 the statistics cards show totals and the tier distribution', async ({ page }, testInfo) => {
  for (const label of ['Total Customers', 'Active Customers', 'Total Loyalty Points']) {
    await expect(page.getByText(label, { exact: true })).toBeVisible();
  }
  const total = page.getByText('Total Customers', { exact: true }).locator('xpath=..');
  await expect(total).toContainText(/\d/);
  await expect(page.getByRole('img', { name: /Bronze \d+, Silver \d+, Gold \d+, Platinum \d+/ })).toBeVisible();
  await page.screenshot({ path: `end2end/screenshots/customers-${testInfo.project.name}.png`, fullPage: true });
  await noSeriousViolations(page, 'customers list');
});

test('§4 the list shows customers with badges and pagination', async ({ page, isMobile }) => {
  await expect(page.getByText(/Showing 1–10 of \d+/)).toBeVisible();
  if (!isMobile) {
    for (const header of ['Name', 'Phone', 'Tier', 'Points', 'Orders', 'Status', 'Actions']) {
      await expect(page.getByRole('columnheader', { name: new RegExp(header) })).toBeVisible();
    }
    await expect(page.getByRole('row')).toHaveCount(11);
  }
  // On a phone the rows are cards, without the table's header row.
  await expect(page.getByRole('row').filter({ has: page.getByRole('button', { name: 'Points' }) })).toHaveCount(10);
  await expect(page.getByText(/^(Active|Inactive)$/).filter({ visible: true }).first()).toBeVisible();
  await page.getByRole('link', { name: 'Next' }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByText(/Showing 11–20 of/)).toBeVisible();
});

test('§5 search, loyalty level and status filter the list, and Clear Filters resets it', async ({ page }) => {
  // A gold, active customer of its own: the filtered views below are never empty.
  const name = tag('Findme');
  await addCustomer(page, { name, email: `${name}@e2e.test`, phone: '+62 21 555 0199', points: '600' });
  await search(page, name.toLowerCase());
  await expect(customer(page, name)).toHaveCount(1);
  await expect(page.getByText('Showing 1–1 of 1')).toBeVisible();

  await reloadsList(page, () => page.getByRole('button', { name: 'Clear Filters' }).click());
  await expect(page).toHaveURL(/\/customers$/);
  const list = customerList(page);
  await reloadsList(page, () => page.getByLabel('Loyalty level').selectOption('gold'));
  await expect(page).toHaveURL(/loyalty_level=gold/);
  const badges = list.getByText(/^(Bronze|Silver|Gold|Platinum)$/).filter({ visible: true });
  await expect(customer(page, name)).toHaveCount(1);
  await expect(badges.filter({ hasText: 'Gold' }).first()).toBeVisible();
  await expect(badges.filter({ hasNotText: 'Gold' })).toHaveCount(0);

  await reloadsList(page, () => page.getByLabel('Status').selectOption('active'));
  await expect(page).toHaveURL(/status=active/);
  const statuses = list.getByText(/^(Active|Inactive)$/).filter({ visible: true });
  await expect(customer(page, name)).toHaveCount(1);
  await expect(statuses.filter({ hasText: /^Active$/ }).first()).toBeVisible();
  await expect(statuses.filter({ hasText: 'Inactive' })).toHaveCount(0);
  await expect(badges.filter({ hasNotText: 'Gold' })).toHaveCount(0);

  await reloadsList(page, () => page.getByRole('button', { name: 'Clear Filters' }).click());
  await expect(page).toHaveURL(/\/customers$/);
  await expect(page.getByLabel('Loyalty level')).toHaveValue('');
  await expect(page.getByLabel('Status')).toHaveValue('');
});

test('§6 §7 a customer is created, then edited', async ({ page }) => {
  const name = tag('Created');
  await page.getByRole('button', { name: '+ Add Customer' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add Customer' });
  await noSeriousViolations(page, 'add dialog');
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Email').fill(`${name}@example.com`);
  await dialog.getByLabel('Phone').fill('08123456789');
  await dialog.getByLabel('Address').fill('Test Address');
  await dialog.getByLabel('City').fill('Jakarta');
  await dialog.getByLabel('Province').fill('DKI Jakarta');
  await dialog.getByLabel('Postal Code').fill('12345');
  await dialog.getByRole('button', { name: 'Create Customer' }).click();
  await expect(page.getByRole('status')).toContainText(`${name} was added.`);
  await expect(dialog).toBeHidden();
  await search(page, name);
  const item = customer(page, name);
  await expect(item).toBeVisible();

  await item.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Customer' });
  await expect(edit.getByLabel('Name')).toHaveValue(name);
  await edit.getByLabel('Name').fill(`${name} Renamed`);
  await edit.getByRole('button', { name: 'Update Customer' }).click();
  await expect(page.getByRole('status')).toContainText(`${name} Renamed was updated.`);
  await expect(edit).toBeHidden();
  await expect(customer(page, `${name} Renamed`)).toBeVisible();
});

test('§8 points change the balance and the tier badge at a boundary', async ({ page }) => {
  const name = tag('Points');
  await addCustomer(page, { name, email: `${name}@e2e.test`, points: '80' });
  await search(page, name);
  const item = customer(page, name);
  await expect(item.getByText('Bronze', { exact: true })).toBeVisible();
  await item.getByRole('button', { name: 'Points' }).click();
  const dialog = page.getByRole('dialog', { name: `Points for ${name}` });
  await expect(dialog).toContainText('Current points: 80');
  await noSeriousViolations(page, 'points dialog');
  await dialog.getByLabel('Points', { exact: true }).fill('20');
  await dialog.getByLabel('Reason').fill('Birthday bonus');
  await expect(dialog).toContainText('After this change: 100 points');
  await dialog.getByRole('button', { name: 'Update Points' }).click();
  await expect(page.getByRole('status')).toContainText(`${name} now has 100 points.`);
  await expect(item.getByText('Silver', { exact: true })).toBeVisible();
  await expect(item).toContainText('100');
});

test('§9 a customer is deleted after confirmation', async ({ page }) => {
  const name = tag('Deleted');
  await addCustomer(page, { name, email: `${name}@e2e.test` });
  await search(page, name);
  await customer(page, name).getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete Customer' });
  await expect(dialog).toContainText(name);
  await noSeriousViolations(page, 'delete dialog');
  await dialog.getByRole('button', { name: 'Delete Customer' }).click();
  await expect(page.getByRole('status')).toContainText(`${name} was deleted.`);
  await expect(page.getByText('No customers match these filters.')).toBeVisible();
});

test('§10 select all and bulk deactivate then activate', async ({ page }) => {
  const group = tag('Bulk');
  for (let i = 0; i < 3; i++) await addCustomer(page, { name: `${group} ${i}`, email: `${group}${i}@e2e.test` });
  await search(page, group);
  await page.getByRole('checkbox', { name: `Select ${group} 0` }).check();
  await page.getByRole('checkbox', { name: `Select ${group} 1` }).check();
  await expect(page.getByText('2 customers selected')).toBeVisible();
  await page.getByRole('checkbox', { name: 'Select All' }).check();
  await expect(page.getByText('3 customers selected')).toBeVisible();
  await expect(page.getByRole('checkbox', { name: `Select ${group} 2` })).toBeChecked();
  await page.getByRole('checkbox', { name: `Select ${group} 0` }).uncheck();
  await expect(page.getByText('2 customers selected')).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Select All' })).not.toBeChecked();
  await page.getByRole('checkbox', { name: 'Select All' }).check();
  await expect(page.getByText('3 customers selected')).toBeVisible();
  await page.getByRole('button', { name: 'Deactivate Selected' }).click();
  await expect(page.getByRole('status')).toContainText('3 customers updated successfully');
  await expect(page.getByRole('checkbox', { name: `Select ${group} 0` })).not.toBeChecked();
  for (let i = 0; i < 3; i++) await expect(customer(page, `${group} ${i}`).getByText('Inactive', { exact: true })).toBeVisible();
  await expect(page.getByText(/customers selected/)).toBeHidden();
  await page.getByRole('checkbox', { name: 'Select All' }).check();
  await page.getByRole('button', { name: 'Activate Selected', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('3 customers updated successfully');
  for (let i = 0; i < 3; i++) await expect(customer(page, `${group} ${i}`).getByText('Active', { exact: true })).toBeVisible();
});

test('a tenant without customers is offered to add the first one, and gets its empty list back after deleting it', async ({ page }) => {
  await page.context().clearCookies();
  await signIn(page, 'owner@other.test');
  await hydrated(page);
  await expect(page.getByText('No customers yet.')).toBeVisible();
  await page.getByRole('button', { name: 'Add your first customer' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add Customer' });
  const name = tag('First');
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Email').fill(`${name}@other.test`);
  await dialog.getByRole('button', { name: 'Create Customer' }).click();
  await expect(page.getByRole('status')).toContainText(`${name} was added.`);
  const row = customer(page, name);
  await expect(row).toBeVisible();
  await expect(page.getByText('Total Customers', { exact: true }).locator('xpath=..')).toContainText('1');
  await row.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: 'Delete Customer' }).getByRole('button', { name: 'Delete Customer' }).click();
  await expect(page.getByRole('status')).toContainText(`${name} was deleted.`);
  await expect(page.getByText('No customers yet.')).toBeVisible();
});

test('§11 validation messages appear beside their fields and keep what was typed', async ({ page }) => {
  const taken = tag('Taken');
  await addCustomer(page, { name: taken, email: `${taken}@e2e.test` });
  await page.getByRole('button', { name: '+ Add Customer' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add Customer' });
  await dialog.getByLabel('Email').fill('someone@e2e.test');
  await dialog.getByRole('button', { name: 'Create Customer' }).click();
  await expect(dialog.getByText('Name is required')).toBeVisible();
  await dialog.getByLabel('Name').fill('Duplicate Person');
  await dialog.getByLabel('Email').fill('test@');
  await dialog.getByRole('button', { name: 'Create Customer' }).click();
  await expect(dialog.getByText('Enter a valid email address.')).toBeVisible();
  await dialog.getByLabel('Email').fill(`${taken.toUpperCase()}@e2e.test`);
  await dialog.getByRole('button', { name: 'Create Customer' }).click();
  await expect(dialog.getByText('Customer with this email already exists')).toBeVisible();
  await expect(dialog.getByLabel('Name')).toHaveValue('Duplicate Person');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: '+ Add Customer' })).toBeFocused();
});

test('§13 when the server cannot be reached an error shows, and Retry recovers', async ({ page }) => {
  await page.route('**/sfn/**', (route) => route.abort());
  // Active customers are always there (earlier tests may leave none inactive).
  await page.getByLabel('Status').selectOption('active');
  const banner = page.getByRole('alert').filter({ hasText: 'Could not reach the server' });
  await expect(banner).toBeVisible();
  await page.unroute('**/sfn/**');
  await banner.getByRole('button', { name: 'Retry' }).click();
  await expect(banner).toBeHidden();
  await expect(page.getByText(/Showing \d+–\d+ of \d+/)).toBeVisible();
});

test('a change of view after the session ended offers to sign in again, and comes back to that view', async ({ page }) => {
  await page.context().clearCookies();
  await page.getByLabel('Status').selectOption('active');
  const banner = page.getByRole('alert').filter({ hasText: 'Your session has ended. Sign in again.' });
  await expect(banner).toBeVisible();
  await banner.getByRole('link', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByLabel('Email').fill('manager@e2e.test');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/customers\?status=active$/);
  await expect(page.getByLabel('Status')).toHaveValue('active');
});

test('§13 a signed-out visit to customers redirects to sign-in', async ({ page, isMobile }) => {
  if (isMobile) await page.getByText('Menu').click();
  await page.getByRole('button', { name: 'Sign out' }).filter({ visible: true }).click();
  await page.goto('/customers');
  await expect(page).toHaveURL(/\/login\?next=/);
});

test('the view lives in the URL: reload and back show the same list', async ({ page }) => {
  await page.goto('/customers?status=active&ordering=-loyalty_points&page=2');
  await hydrated(page);
  await expect(page.getByLabel('Status')).toHaveValue('active');
  const first = await page.getByText(/Showing/).textContent();
  await page.reload();
  await expect(page.getByText(/Showing/)).toHaveText(first ?? '');
  await page.getByRole('link', { name: 'Next' }).click();
  await expect(page).toHaveURL(/page=3/);
  await page.goBack();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByText(/Showing/)).toHaveText(first ?? '');
});

test('the page becomes interactive from what the server sent, without asking again', async ({ page }) => {
  const calls: string[] = [];
  page.on('request', (request) => { if (request.url().includes('/sfn/')) calls.push(request.url()); });
  await page.goto('/customers?ordering=name');
  await hydrated(page);
  await expect(page.getByText(/Showing 1–10 of/)).toBeVisible();
  await page.getByRole('button', { name: '+ Add Customer' }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  expect(calls).toEqual([]);
});

test('a search typed while the list reloads is kept and runs', async ({ page }) => {
  const held: import('@playwright/test').Route[] = [];
  let hold = true;
  await page.route('**/sfn/**', (route) => (hold ? held.push(route) : route.continue()));
  await page.getByRole('link', { name: 'Next' }).click();
  await expect.poll(() => held.length).toBe(1);
  // Meanwhile the old page stays on screen, marked busy.
  await expect(customerList(page)).toHaveAttribute('aria-busy', 'true');
  await expect(page.getByText(/Showing 1–10 of/)).toBeVisible();
  await page.getByLabel('Search', { exact: true }).fill('a');
  hold = false;
  for (const route of held.splice(0)) await route.continue();
  await expect(page).toHaveURL(/search=a/);
  await expect(page.getByLabel('Search', { exact: true })).toHaveValue('a');
  await expect(customerList(page)).toHaveAttribute('aria-busy', 'false');
});

test('sorting and paging change the list in place, without loading the page again', async ({ page }) => {
  await page.evaluate(() => { (window as any).samePage = true; });
  await page.getByRole('link', { name: 'Next' }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByText(/Showing 11–20 of/)).toBeVisible();
  await page.goBack();
  await expect(page.getByText(/Showing 1–10 of/)).toBeVisible();
  expect(await page.evaluate(() => (window as any).samePage)).toBe(true);
});

test('on tablets and small windows every row fits on screen, without scrolling sideways', async ({ page, isMobile }) => {
  test.skip(isMobile, 'one run covers the widths');
  for (const width of [640, 768, 900, 1024, 1180]) {
    await page.setViewportSize({ width, height: 900 });
    const deletes = customerList(page).getByRole('button', { name: 'Delete' }).filter({ visible: true });
    await expect(deletes.first()).toBeVisible();
    for (const button of await deletes.all()) {
      const box = await button.boundingBox();
      expect(box && box.x + box.width, `a Delete button at ${width} px`).toBeLessThanOrEqual(width);
    }
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(sideways, `the page at ${width} px`).toBeLessThanOrEqual(0);
  }
});

test('the customer detail shows totals and the points history', async ({ page }) => {
  const name = tag('Detail');
  await addCustomer(page, { name, email: `${name}@e2e.test`, points: '150' });
  await search(page, name);
  await customer(page, name).getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  await expect(page.getByText('Average order value')).toBeVisible();
  const history = page.getByRole('region', { name: 'Points history' });
  await expect(history).toContainText('Opening balance');
  await expect(history).toContainText('+150');
  await noSeriousViolations(page, 'detail page');
});

test('a cashier sees no delete, bulk or deduct controls', async ({ page }) => {
  await page.context().clearCookies();
  await signIn(page, 'cashier@e2e.test');
  await hydrated(page);
  await expect(page.getByRole('button', { name: 'Points' }).first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Delete' })).toHaveCount(0);
  await expect(page.getByRole('checkbox', { name: 'Select All' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Points' }).filter({ visible: true }).first().click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('Deduct')).toHaveCount(0);
  await expect(dialog.getByLabel('Points to add')).toBeVisible();
});
