import { expect, Page, Locator } from '@playwright/test';

export const password = 'e2e password 123';

/** Signs in through the login form and lands on /customers (or `next`). */
export async function signIn(page: Page, email = 'manager@e2e.test', next = '/customers') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(next.replace(/[?]/g, '\\?') + '$'));
}

/** Waits until the WebAssembly has hydrated the page (buttons then react to clicks). */
export async function hydrated(page: Page) {
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 15_000 });
}

/** A unique tag for names and emails made by one test run. */
export function tag(prefix: string) {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** The row of a customer, found by a text it shows (a table row where the list is wide, the
 * same row shown as a card where it is narrow). */
export function customer(page: Page, text: string): Locator {
  return page.getByRole('row').filter({ hasText: text });
}

/** Creates a customer through the Add dialog and waits for the success message. */
export async function addCustomer(page: Page, fields: { name: string; email: string; phone?: string; points?: string }) {
  await page.getByRole('button', { name: '+ Add Customer' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add Customer' });
  await dialog.getByLabel('Name').fill(fields.name);
  await dialog.getByLabel('Email').fill(fields.email);
  if (fields.phone) await dialog.getByLabel('Phone').fill(fields.phone);
  if (fields.points) await dialog.getByLabel('Loyalty Points').fill(fields.points);
  await dialog.getByRole('button', { name: 'Create Customer' }).click();
  await expect(page.getByRole('status')).toContainText(`${fields.name} was added.`);
  await expect(dialog).toBeHidden();
}

/** Searches with the search box (typing, then waiting for the URL to follow). */
export async function search(page: Page, text: string) {
  await page.getByLabel('Search', { exact: true }).fill(text);
  await expect(page).toHaveURL(new RegExp(`search=${encodeURIComponent(text).replace(/%20/g, '\\+')}`));
}

/** The customers list; `aria-busy` is "true" while a new view of it loads. */
export function customerList(page: Page): Locator {
  return page.getByRole('region', { name: 'Customer list' });
}

/** Runs `action`, which changes the list's view, and waits until the new view is shown. */
export async function reloadsList(page: Page, action: () => Promise<unknown>) {
  const listed = page.waitForResponse((response) => response.url().includes('/sfn/customers/board'));
  await action();
  await listed;
  await expect(customerList(page)).toHaveAttribute('aria-busy', 'false');
}
