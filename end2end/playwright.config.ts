import { defineConfig, devices } from '@playwright/test';

// Debian's Chromium: Playwright never downloads a browser here.
const chromium = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
};

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  fullyParallel: false,
  workers: 1,
  // One retry: a test that passes only on it is reported as flaky in the output, not hidden.
  retries: 1,
  reporter: [['list']],
  timeout: 30_000,
  use: {
    baseURL: 'http://127.0.0.1:3100',
    launchOptions: chromium,
    trace: 'off',
  },
  webServer: {
    command: 'end2end/serve.sh',
    cwd: '..',
    url: 'http://127.0.0.1:3100/login',
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    timeout: 120_000,
  },
  projects: [
    { name: 'desktop', testIgnore: /no-javascript/, use: { ...devices['Desktop Chrome'], viewport: { width: 1280, height: 800 }, launchOptions: chromium } },
    { name: 'phone', testIgnore: /no-javascript/, use: { ...devices['Pixel 7'], viewport: { width: 390, height: 844 }, launchOptions: chromium } },
    // The smallest phones still sold: only the tests written for every screen size.
    { name: 'small-phone', testMatch: /real-screens\.spec\.ts/, use: { ...devices['Pixel 7'], viewport: { width: 320, height: 640 }, launchOptions: chromium } },
    {
      name: 'no-javascript',
      testMatch: /no-javascript\.spec\.ts/,
      use: { viewport: { width: 1280, height: 800 }, javaScriptEnabled: false, launchOptions: chromium },
    },
  ],
});
