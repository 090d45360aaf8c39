import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { postEvents, startTestKpiwall, type TestKpiwall } from '../support/harness.ts';

// A real browser (Debian Chromium) against the real embedded stack, wall built by
// `npm run build -w web` (the test:browser script builds it first).

const chromiumPath = '/usr/bin/chromium';
const screenshotPath = 'test-results/wall-support.png';

const tileValue = (page: Page, key: string) => page.locator(`[data-kpi="${key}"]`);

describe('support wall in Chromium', () => {
  let kpiwall: TestKpiwall;
  let browser: Browser;

  beforeAll(async () => {
    expect(existsSync(chromiumPath), 'apt-get install -y chromium').toBe(true);
    kpiwall = await startTestKpiwall();
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser.close();
    await kpiwall.dispose();
  });

  it('goes live, shows a tile change after events are posted, and is screenshotted', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`${kpiwall.url}/wall/support`);
    await page.locator('[data-status="live"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => tileValue(page, 'tickets_waiting_first_reply').textContent()).toBe('0');

    const now = Date.now();
    const tickets = ['urgent', 'high', 'normal'].map((priority, i) => ({
      id: `browser-ticket-${now}-${i}`,
      type: 'ticket.created',
      time: new Date(now - (i + 1) * 60_000).toISOString(),
      account_id: 'acme',
      ticket_id: `B-${now}-${i}`,
      priority,
      channel: 'chat',
    }));
    const answer = await postEvents(kpiwall.url, tickets);
    expect(answer.body).toEqual({ accepted: 3, rejected: [] });

    await expect
      .poll(() => tileValue(page, 'tickets_waiting_first_reply').textContent(), { timeout: 10_000 })
      .toBe('3');
    await expect
      .poll(() => tileValue(page, 'backlog_open').textContent(), { timeout: 10_000 })
      .toBe('3');

    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: screenshotPath });
    expect(existsSync(screenshotPath)).toBe(true);
  });

  it('says DISCONNECTED when the aggregator stops and recovers by itself when it is back', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`${kpiwall.url}/wall/support`);
    await page.locator('[data-status="live"]').waitFor({ timeout: 15_000 });

    const port = new URL(kpiwall.url).port;
    await kpiwall.close();
    await page.locator('[data-status="disconnected"]').waitFor({ timeout: 15_000 });

    kpiwall = await startTestKpiwall({ dataDir: kpiwall.dataDir, env: { KPIWALL_PORT: port } });
    await page.locator('[data-status="live"]').waitFor({ timeout: 30_000 });
    expect(await tileValue(page, 'tickets_waiting_first_reply').textContent()).toBe('3');
  });
});
