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
  for (const response of assets) {
    const headers = await response.allHeaders();
    const path = new URL(response.url()).pathname;
    // Content-hashed names, so a new build can never be hidden by a cached old file.
    expect(path).toMatch(/^\/pkg\/patron\.[A-Za-z0-9_-]{16,}\.(css|js|wasm)$/);
    expect(headers['content-encoding'], path).toBe('br');
    expect(headers['cache-control'], path).toBe('public, max-age=31536000, immutable');
  }
});
