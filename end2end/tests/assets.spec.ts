import { test, expect, Response } from '@playwright/test';
import { signIn, hydrated } from './helpers';

test('the page scripts, WebAssembly and styles arrive brotli-compressed and cacheable for a year', async ({ page }) => {
  const assets: Response[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/pkg/')) assets.push(response);
  });
  await signIn(page);
  await hydrated(page);

  const kinds = assets.map((r) => new URL(r.url()).pathname.split('.').pop());
  expect(new Set(kinds)).toEqual(new Set(['css', 'js', 'wasm']));
  // The dialogs' WebAssembly is a module of its own, fetched when the board is first used.
  const dialogs = assets.length;
  await page.getByRole('button', { name: '+ Add Customer' }).click();
  await expect(page.getByRole('dialog', { name: 'Add Customer' })).toBeVisible();
  const fetched = assets.slice(dialogs).map((r) => new URL(r.url()).pathname);
  expect(fetched.some((path) => /\/split_customer_dialogs\.[^/]+\.wasm$/.test(path)), fetched.join(' ')).toBe(true);

  for (const response of assets) {
    const headers = await response.allHeaders();
    const path = new URL(response.url()).pathname;
    // Content-hashed names (the script and the WebAssembly in a folder named after the page's
    // WebAssembly), so a new build can never be hidden by a cached old file.
    expect(path).toMatch(/^\/pkg\/([A-Za-z0-9_-]{16,}\/)?[a-z_0-9]+\.[A-Za-z0-9_-]{16,}\.(css|js|wasm)$/);
    expect(headers['content-encoding'], path).toBe('br');
    expect(headers['cache-control'], path).toBe('public, max-age=31536000, immutable');
  }
});

test('when the dialogs cannot be fetched the board says so, and the next try opens the dialog', async ({ page }) => {
  await signIn(page);
  await hydrated(page);
  const dialogsCode = /\/(split_customer_dialogs|chunk_\d+)\.[^/]+\.wasm$/;
  await page.route(dialogsCode, (route) => route.abort('internetdisconnected'));
  const add = page.getByRole('button', { name: '+ Add Customer' });
  await add.click();
  await expect(page.getByRole('status')).toContainText('Could not reach the server. Check the connection and try again.');
  await expect(page.getByRole('dialog')).toHaveCount(0);

  await page.unroute(dialogsCode);
  await add.click();
  await expect(page.getByRole('dialog', { name: 'Add Customer' })).toBeVisible();
});
