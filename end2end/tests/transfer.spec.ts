import { test, expect } from '@playwright/test';
import * as fs from 'fs';
import { signIn, tag, hydrated, search, customer } from './helpers';

function csv(lines: string[]) {
  return { name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') };
}

test('a manager checks a file with an error, fixes it, imports it and finds the new customers', async ({ page }) => {
  const t = tag('imp');
  await signIn(page, 'manager@e2e.test');
  await page.getByRole('link', { name: 'Import CSV' }).click();
  await expect(page).toHaveURL(/\/customers\/import$/);
  await expect(page.getByRole('heading', { name: 'Import customers' })).toBeVisible();

  const bad = csv(['Name;Email;Loyalty Points', `Ani ${t};ani.${t}@e2e.test;10`, `Budi ${t};not-an-email;x`]);
  await page.getByLabel('CSV file').setInputFiles(bad);
  await page.getByRole('button', { name: 'Check file' }).click();
  await expect(page).toHaveURL(/job=/);
  const problems = page.getByRole('table');
  await expect(problems).toContainText('Enter a valid email address.');
  await expect(problems).toContainText('A valid integer is required.');
  await expect(page.getByText('Nothing was imported.')).toBeVisible();
  await expect(page.getByRole('button', { name: /^Import \d+ customers?$/ })).toHaveCount(0);
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download all problems (CSV)' }).click();
  const errors = fs.readFileSync(await (await download).path(), 'utf8');
  expect(errors.split('\r\n')[0]).toBe('row,column,problem');
  expect(errors).toContain('3,email,Enter a valid email address.');

  const good = csv(['Name;Email;Loyalty Points', `Ani ${t};ani.${t}@e2e.test;10`, `Budi ${t};budi.${t}@e2e.test;600`]);
  await page.getByLabel('CSV file').setInputFiles(good);
  await page.getByRole('button', { name: 'Check file' }).click();
  await page.getByRole('button', { name: 'Import 2 customers' }).click();
  // The progress shows while it runs; a small file is done at once.
  await expect(page.getByText('Import finished.')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('status')).toContainText('2 new, 0 updated, 0 unchanged.');
  await page.getByRole('link', { name: 'See your customers' }).click();
  await expect(page).toHaveURL(/\/customers$/);
  await hydrated(page);
  await search(page, t);
  await expect(customer(page, `Budi ${t}`)).toBeVisible();
  await expect(customer(page, `Ani ${t}`)).toBeVisible();
});

test('the export downloads the filtered view as CSV', async ({ page }) => {
  const t = tag('exp');
  await signIn(page, 'manager@e2e.test');
  await page.goto('/customers/import');
  const file = csv(['name,email,city', `Citra ${t},citra.${t}@e2e.test,Bandung`, `Dewi ${t},dewi.${t}@e2e.test,Medan`]);
  await page.getByLabel('CSV file').setInputFiles(file);
  await page.getByRole('button', { name: 'Check file' }).click();
  await page.getByRole('button', { name: 'Import 2 customers' }).click();
  await expect(page.getByText('Import finished.')).toBeVisible({ timeout: 15_000 });

  await page.goto(`/customers?search=${encodeURIComponent(`citra.${t}`)}`);
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const saved = await download;
  expect(saved.suggestedFilename()).toMatch(/^customers-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = fs.readFileSync(await saved.path(), 'utf8').trim().split('\r\n');
  expect(lines[0].startsWith('id,name,email,phone,')).toBe(true);
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain(`Citra ${t},citra.${t}@e2e.test`);
});

test('an owner erases a customer after typing the confirmation', async ({ page }) => {
  const t = tag('era');
  await signIn(page, 'owner@e2e.test');
  await page.goto('/customers/import');
  await page.getByLabel('CSV file').setInputFiles(csv(['name,email,phone', `Eka ${t},eka.${t}@e2e.test,0812`]));
  await page.getByRole('button', { name: 'Check file' }).click();
  await page.getByRole('button', { name: 'Import 1 customer' }).click();
  await expect(page.getByText('Import finished.')).toBeVisible({ timeout: 15_000 });
  await page.goto(`/customers?search=${encodeURIComponent(`eka.${t}`)}`);
  await page.getByRole('link', { name: `Eka ${t}` }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: `Eka ${t}` })).toBeVisible();

  const erase = page.getByRole('region', { name: 'Erase personal data' });
  await erase.getByLabel('Type ERASE to confirm').fill('erase it');
  await erase.getByRole('button', { name: 'Erase customer' }).click();
  await expect(page.getByRole('region', { name: 'Erase personal data' }).getByRole('alert')).toContainText('Type ERASE to confirm.');
  await expect(page.getByRole('heading', { level: 1, name: `Eka ${t}` })).toBeVisible();

  await page.getByRole('region', { name: 'Erase personal data' }).getByLabel('Type ERASE to confirm').fill('ERASE');
  await page.getByRole('button', { name: 'Erase customer' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Erased customer' })).toBeVisible();
  await expect(page.getByText(`eka.${t}@e2e.test`)).toHaveCount(0);
  await expect(page.getByText(/erased-\d+@invalid\.example/)).toBeVisible();
});

test('a manager merges two duplicates, sees the merge on the customer and undoes it', async ({ page }) => {
  const t = tag('mrg');
  // A phone of this test's own, so no other run's customer shares it.
  const phone = `0812 ${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  await signIn(page, 'manager@e2e.test');
  await page.goto('/customers/import');
  // The same Gmail address written two ways, and one of them with a phone the other lacks.
  const file = csv(['name,email,phone,loyalty_points', `Old ${t},mrg.${t}@gmail.com,,15`, `New ${t},m.r.g.${t}+till@googlemail.com,${phone},5`]);
  await page.getByLabel('CSV file').setInputFiles(file);
  await page.getByRole('button', { name: 'Check file' }).click();
  await page.getByRole('button', { name: 'Import 2 customers' }).click();
  await expect(page.getByText('Import finished.')).toBeVisible({ timeout: 15_000 });

  await page.goto('/customers');
  await page.getByRole('link', { name: 'Duplicates' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Duplicate customers' })).toBeVisible();
  const group = page.locator('form').filter({ hasText: `mrg.${t}@gmail.com` });
  await expect(group.getByRole('group', { name: 'Same email · 2 customers' })).toBeVisible();
  await expect(group.getByRole('radio', { name: `Keep Old ${t}` })).toBeChecked();
  await group.getByRole('button', { name: 'Merge' }).click();

  const done = page.getByRole('status').filter({ hasText: `Merged 1 customer into Old ${t}.` });
  await expect(done).toBeVisible();
  await expect(page.locator('form').filter({ hasText: `mrg.${t}@gmail.com` })).toHaveCount(0);
  await done.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Merge undone: New ${t} is back.` })).toBeVisible();
  await expect(page.locator('form').filter({ hasText: `mrg.${t}@gmail.com` })).toHaveCount(1);

  // Merged again, the survivor's page says so and undoes it too.
  await page.locator('form').filter({ hasText: `mrg.${t}@gmail.com` }).getByRole('button', { name: 'Merge' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Merged 1 customer into Old ${t}.` })).toBeVisible();
  await page.goto(`/customers?search=${encodeURIComponent(`mrg.${t}`)}`);
  await page.getByRole('link', { name: `Old ${t}` }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: `Old ${t}` })).toBeVisible();
  await expect(page.getByText(phone)).toBeVisible();
  const merged = page.getByRole('region', { name: 'Merged customers' });
  await expect(merged).toContainText(`Merged from New ${t}`);
  await merged.getByRole('button', { name: 'Undo merge' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Merge undone: New ${t} is back.` })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Merged customers' })).toHaveCount(0);
  await expect(page.getByText(phone)).toHaveCount(0);
});
