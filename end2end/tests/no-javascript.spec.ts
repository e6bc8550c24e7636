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
