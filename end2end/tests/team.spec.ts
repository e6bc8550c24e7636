import { test, expect, Page, Browser } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { signIn, tag } from './helpers';

async function noSeriousViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help}`), what).toEqual([]);
}

/** Signs in with any email and password in a fresh browser context; returns its page. */
async function signInElsewhere(browser: Browser, email: string, password: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/customers$/);
  return page;
}

/** The card of a user on the team page. */
function member(page: Page, email: string) {
  return page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: email }) });
}

/** Adds a user on the team page; returns the first password (the one given, or the one generated). */
async function addUser(page: Page, email: string, role: string, password?: string): Promise<string> {
  await page.goto('/settings/team');
  const form = page.getByRole('region', { name: 'Add user' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Role').selectOption(role);
  if (password) await form.getByLabel('First password').fill(password);
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status')).toContainText(`Added ${email} as ${role}.`);
  if (password) return password;
  const shown = await page.getByRole('status').innerText();
  const generated = shown.match(/[a-z2-9]{4}(-[a-z2-9]{4}){4}/);
  expect(generated, shown).not.toBeNull();
  return generated![0];
}

test('an owner adds a user, changes their role and deactivates them, which ends their open session', async ({ page, browser }) => {
  await signIn(page, 'owner@e2e.test');
  const email = `${tag('staff')}@e2e.test`;
  const password = await addUser(page, email, 'cashier');
  await noSeriousViolations(page, 'team page');
  const staff = await signInElsewhere(browser, email, password);

  const card = member(page, email);
  await card.getByLabel('Role', { exact: true }).selectOption('manager');
  await card.getByRole('button', { name: `Change role of ${email}` }).click();
  await expect(page.getByRole('status')).toContainText(`${email} is now manager.`);
  await expect(member(page, email)).toContainText('manager');

  await member(page, email).getByRole('button', { name: `Deactivate ${email}` }).click();
  await expect(page.getByRole('status')).toContainText('is deactivated');
  await expect(member(page, email)).toContainText('Deactivated');
  await staff.goto('/customers');
  await expect(staff).toHaveURL(/\/login/);

  await page.goto('/settings/activity?action=user.updated');
  await expect(page.getByRole('listitem').filter({ hasText: email }).first()).toContainText('is_active: true → false');
  await noSeriousViolations(page, 'activity page');
});

test('a user changes their own password and signs out everywhere', async ({ page, browser, isMobile }) => {
  await signIn(page, 'owner@e2e.test');
  const email = `${tag('self')}@e2e.test`;
  const first = 'a first password for the till';
  await addUser(page, email, 'manager', first);

  const mine = await signInElsewhere(browser, email, first);
  const otherDevice = await signInElsewhere(browser, email, first);
  if (isMobile) await mine.getByText('Menu').click();
  await mine.getByRole('link', { name: email }).filter({ visible: true }).click();
  await expect(mine).toHaveURL(/\/account$/);
  await noSeriousViolations(mine, 'account page');
  await mine.getByLabel('Current password').fill(first);
  await mine.getByLabel('New password').fill('a second password for the till');
  await mine.getByRole('button', { name: 'Change password' }).click();
  await expect(mine.getByRole('status')).toContainText('Your password is changed.');
  await otherDevice.goto('/customers');
  await expect(otherDevice).toHaveURL(/\/login/);
  await mine.goto('/customers');
  await expect(mine).toHaveURL(/\/customers$/);

  const again = await signInElsewhere(browser, email, 'a second password for the till');
  await mine.goto('/account');
  await mine.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(mine).toHaveURL(/\/login/);
  await again.goto('/customers');
  await expect(again).toHaveURL(/\/login/);

  await page.goto('/settings/activity');
  const log = page.getByRole('list').filter({ hasText: email });
  await expect(log).toContainText('Password changed');
  await expect(log).toContainText('Signed out everywhere');
  await expect(log).toContainText('User added');
});

test('managers and cashiers get the 403 page for the team and the activity log', async ({ page }) => {
  await signIn(page, 'manager@e2e.test');
  const team = await page.goto('/settings/team');
  expect(team?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'You do not have access to this page' })).toBeVisible();
  const log = await page.goto('/settings/activity');
  expect(log?.status()).toBe(403);
  await expect(page.getByRole('link', { name: 'Team' })).toHaveCount(0);
});
