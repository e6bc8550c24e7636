import { test, expect, Page } from '@playwright/test';

const password = 'e2e password 123';

async function signIn(page: Page, email: string, secret = password) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('a manager signs in and sees their tenant', async ({ page }) => {
  await page.goto('/login');
  await signIn(page, 'manager@e2e.test');
  await expect(page).toHaveURL(/\/customers$/);
  await expect(page.getByRole('heading', { name: 'Customers' })).toBeVisible();
  await expect(page.getByText('E2E Bistro').first()).toBeAttached();
});

test('a wrong password is refused with a message', async ({ page }) => {
  await page.goto('/login');
  await signIn(page, 'cashier@e2e.test', 'not the password');
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
  await expect(page).toHaveURL(/\/login/);
});

test('a signed-out visit to customers goes to login and back after sign-in', async ({ page }) => {
  await page.goto('/customers?page=2');
  await expect(page).toHaveURL(/\/login\?next=/);
  await signIn(page, 'owner@e2e.test');
  await expect(page).toHaveURL(/\/customers\?page=2$/);
});

test('signing out ends the session', async ({ page, isMobile }) => {
  await page.goto('/login');
  await signIn(page, 'owner@e2e.test');
  await expect(page).toHaveURL(/\/customers/);
  if (isMobile) {
    await page.getByText('Menu').click();
  }
  await page.getByRole('button', { name: 'Sign out' }).filter({ visible: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/customers');
  await expect(page).toHaveURL(/\/login\?next=/);
});
