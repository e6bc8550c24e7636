import { test, expect } from '@playwright/test';
import { signIn } from './helpers';

// The list, search, filters, sort and pagination work through plain links and GET forms.
test.use({ javaScriptEnabled: false });

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test('without JavaScript the list renders on the server', async ({ page }) => {
  await expect(page.getByText(/Showing 1–10 of \d+/)).toBeVisible();
  await expect(page.getByText('Total Customers', { exact: true })).toBeVisible();
});

test('without JavaScript search and filters submit a GET form', async ({ page }) => {
  await page.getByLabel('Loyalty level').selectOption('platinum');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(/loyalty_level=platinum/);
  for (const badge of await page.getByText(/^(Bronze|Silver|Gold|Platinum)$/).filter({ visible: true }).all()) {
    await expect(badge).toHaveText('Platinum');
  }
});

test('without JavaScript sorting and pagination are links', async ({ page, isMobile }) => {
  if (isMobile) {
    await page.getByRole('link', { name: 'Most points' }).click();
  } else {
    await page.getByRole('link', { name: 'Points', exact: true }).click();
    await page.getByRole('link', { name: 'Points', exact: true }).click();
  }
  await expect(page).toHaveURL(/ordering=-loyalty_points/);
  await page.getByRole('link', { name: 'Next' }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByText(/Showing 11–20 of/)).toBeVisible();
});

test('without JavaScript a search keeps its text and the chosen sort', async ({ page }) => {
  await page.goto('/customers?ordering=-loyalty_points');
  await page.getByLabel('Search').fill('a');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(/search=a/);
  await expect(page).toHaveURL(/ordering=-loyalty_points/);
  await expect(page.getByLabel('Search')).toHaveValue('a');
});

test('without JavaScript a customer page shows orders, the ledger, the tier history and the program', async ({ page, request }) => {
  // An order recorded through the API by a till.
  const login = await request.post('/api/auth/token/', { data: { email: 'manager@e2e.test', password: 'e2e password 123' } });
  const { access } = await login.json();
  const headers = { Authorization: `Bearer ${access}` };
  const email = `nojs${Date.now()}@e2e.test`;
  const created = await request.post('/api/customers/', { headers, data: { name: 'No Script Shopper', email, loyalty_points: 95 } });
  const { id } = await created.json();
  const reference = `NOJS-${Date.now()}`;
  const order = await request.post(`/api/customers/${id}/orders/`, { headers, data: { reference, total: '125000.00' } });
  expect(order.status()).toBe(201);

  await page.goto(`/customers/${id}`);
  await expect(page.getByRole('region', { name: 'Order entries' })).toContainText(reference);
  await expect(page.getByRole('region', { name: 'History entries' })).toContainText('Order');
  await expect(page.getByRole('region', { name: 'Tier history' })).toContainText('Silver');
  await page.goto('/settings/loyalty');
  await expect(page.getByLabel('Silver from (points)')).toHaveValue('100');
  await expect(page.getByText('An order of 125,000.00 earns 12 points.')).toBeVisible();
});

test('without JavaScript an owner adds a user and the user changes their password with plain forms', async ({ page, browser }) => {
  await page.context().clearCookies();
  await signIn(page, 'owner@e2e.test');
  const email = `nojs${Date.now().toString(36)}@e2e.test`;
  await page.goto('/settings/team');
  const form = page.getByRole('region', { name: 'Add user' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Role').selectOption('cashier');
  await form.getByLabel('First password').fill('a first password without scripts');
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(page).toHaveURL(/\/settings\/team$/);
  await expect(page.getByRole('status')).toContainText(`Added ${email} as cashier.`);

  const context = await browser.newContext({ javaScriptEnabled: false });
  const cashier = await context.newPage();
  await cashier.goto('/login');
  await cashier.getByLabel('Email').fill(email);
  await cashier.getByLabel('Password').fill('a first password without scripts');
  await cashier.getByRole('button', { name: 'Sign in' }).click();
  await cashier.goto('/account');
  await cashier.getByLabel('Current password').fill('a first password without scripts');
  await cashier.getByLabel('New password').fill('a second password without scripts');
  await cashier.getByRole('button', { name: 'Change password' }).click();
  await expect(cashier).toHaveURL(/\/account$/);
  await expect(cashier.getByRole('status')).toContainText('Your password is changed.');
  await context.close();
});
