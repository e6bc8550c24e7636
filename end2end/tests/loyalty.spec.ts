import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { signIn, hydrated, tag, customer, addCustomer, search } from './helpers';

async function noSeriousViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help}`), what).toEqual([]);
}

/** Adds a customer on the list page and opens their detail page. */
async function openNewCustomer(page: Page, points: string) {
  const name = tag('Loyal');
  await addCustomer(page, { name, email: `${name}@e2e.test`, points });
  await search(page, name);
  await customer(page, name).getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  await hydrated(page);
  return name;
}

async function recordOrder(page: Page, reference: string, total: string) {
  const form = page.getByRole('form', { name: 'Record order' });
  await form.getByLabel('Reference').fill(reference);
  await form.getByLabel('Total').fill(total);
  await form.getByRole('button', { name: 'Record order' }).click();
  await expect(page.getByRole('region', { name: 'Order entries' })).toContainText(reference);
  await hydrated(page);
}

/** The value shown under a fact's label on the customer page (a `dt` and its `dd`). */
function fact(page: Page, label: string) {
  return page.getByText(label, { exact: true }).locator('xpath=following-sibling::dd[1]');
}

/** Sets the tier thresholds on the settings page as an owner and saves. */
async function setThresholds(page: Page, silver: string, gold: string, platinum: string) {
  await page.goto('/settings/loyalty');
  await hydrated(page);
  await page.getByLabel('Silver from (points)').fill(silver);
  await page.getByLabel('Gold from (points)').fill(gold);
  await page.getByLabel('Platinum from (points)').fill(platinum);
  await page.getByRole('button', { name: 'Save program' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
}

test('recording an order changes totals, points and tier, a refund takes them back', async ({ page }) => {
  await signIn(page);
  await hydrated(page);
  const name = await openNewCustomer(page, '95');
  const reference = tag('POS-');
  await recordOrder(page, reference, '125000.00');
  await expect(fact(page, 'Total orders')).toHaveText('1');
  await expect(fact(page, 'Total spent')).toHaveText('125,000.00');
  await expect(fact(page, 'Loyalty points')).toHaveText('107');
  await expect(page.getByRole('heading', { level: 1 }).locator('..')).toContainText('Silver');
  await expect(page.getByRole('region', { name: 'History entries' })).toContainText('Order');
  await expect(page.getByRole('region', { name: 'Tier history' })).toContainText('Order');
  await noSeriousViolations(page, 'detail page with an order');

  // Back on the list, the new totals and tier show.
  await page.getByRole('link', { name: '← Customers' }).click();
  await search(page, name);
  await expect(customer(page, name)).toContainText('Silver');
  await expect(customer(page, name)).toContainText('107');

  await customer(page, name).getByRole('link', { name }).click();
  await hydrated(page);
  await page.getByRole('button', { name: `Refund ${reference}` }).click();
  await page.getByRole('form', { name: `Refund ${reference}` }).getByRole('button', { name: 'Confirm refund' }).click();
  await expect(fact(page, 'Loyalty points')).toHaveText('95');
  await expect(fact(page, 'Total orders')).toHaveText('0');
  await expect(page.getByRole('region', { name: 'Order entries' })).toContainText('Refunded');
  await expect(page.getByRole('heading', { level: 1 }).locator('..')).toContainText('Bronze');
});

test('a bad order shows its message beside the field and records nothing', async ({ page }) => {
  await signIn(page);
  await hydrated(page);
  await openNewCustomer(page, '0');
  const form = page.getByRole('form', { name: 'Record order' });
  await form.getByLabel('Reference').fill('POS-X');
  await form.getByLabel('Total').fill('12.345');
  await form.getByRole('button', { name: 'Record order' }).click();
  await expect(form.getByText('Ensure that there are no more than 2 decimal places.')).toBeVisible();
  await expect(form.getByLabel('Total')).toHaveValue('12.345');
  await expect(page.getByText('No orders yet.')).toBeVisible();
});

test('an owner changes the thresholds and the badges follow', async ({ page }) => {
  await signIn(page, 'owner@e2e.test');
  await hydrated(page);
  const name = await openNewCustomer(page, '150');
  await expect(page.getByRole('heading', { level: 1 }).locator('..')).toContainText('Silver');
  await page.goto('/settings/loyalty');
  await hydrated(page);
  await expect(page.getByText('An order of 125,000.00 earns 12 points.')).toBeVisible();
  await page.getByLabel('Spend per point').fill('5000');
  await expect(page.getByText('An order of 125,000.00 earns 25 points.')).toBeVisible();
  await page.getByLabel('Spend per point').fill('10000.00');
  await noSeriousViolations(page, 'loyalty settings');
  try {
    await page.getByLabel('Gold from (points)').fill('120');
    // The preview counts the customers each tier would hold before saving.
    await expect(page.getByRole('table', { name: 'Customers per tier' })).not.toContainText('—');
    await setThresholds(page, '100', '120', '1000');
    await page.goto('/customers');
    await hydrated(page);
    await search(page, name);
    await expect(customer(page, name)).toContainText('Gold');
  } finally {
    await setThresholds(page, '100', '500', '1000');
  }
});

test('a cashier records orders but sees no Refund, and reads the program', async ({ page }) => {
  await signIn(page, 'cashier@e2e.test');
  await hydrated(page);
  await openNewCustomer(page, '0');
  await recordOrder(page, tag('POS-'), '20000');
  await expect(fact(page, 'Loyalty points')).toHaveText('2');
  await expect(page.getByRole('button', { name: /^Refund/ })).toHaveCount(0);
  await page.goto('/settings/loyalty');
  await expect(page.getByText('Only owners can change the loyalty program.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save program' })).toHaveCount(0);
});
