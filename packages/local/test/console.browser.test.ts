import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJsonLogger } from '@frs/contracts/logger';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../src/stack.ts';
import { enrolGallery, facePath } from './fixtures.ts';

// Debian's chromium, installed by `bash bootstrap.sh test` when it runs as root.
const CHROMIUM = process.env.FRS_CHROMIUM ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? undefined
  : `browser tests skipped: ${CHROMIUM} is missing (bash bootstrap.sh test installs Debian's chromium when run as root; FRS_CHROMIUM points elsewhere)`;
if (skip) console.warn(skip);

const SHOTS = new URL('../.test-results/', import.meta.url).pathname;
const HOSTILE = '<img src=x onerror=alert(1)>.jpg';
const logger = createJsonLogger({ service: 'console-browser-test', level: 'error' });

describe.skipIf(skip !== undefined)('Function: startLocalStack() console in Chromium', () => {
  let stack: LocalStack;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let photos: string;
  const dialogs: string[] = [];

  beforeAll(async () => {
    const gallery = await enrolGallery(['clapton', 'John_Salley'], 1, logger);
    stack = await startLocalStack({ logger, port: 0, sqsPort: 0, consolePort: 0, gallery });
    profile = await mkdtemp(join(tmpdir(), 'frs-chromium-'));
    photos = await mkdtemp(join(tmpdir(), 'frs-console-photos-'));
    await copyFile(facePath('identities/clapton/01.jpg'), join(photos, HOSTILE));
    await mkdir(SHOTS, { recursive: true });
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1200, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  afterAll(async () => {
    await context?.close();
    await stack?.stop();
    if (profile) await rm(profile, { recursive: true, force: true });
    if (photos) await rm(photos, { recursive: true, force: true });
  });

  it('draws the enrolled names on a recognised frame', async () => {
    await page.goto(`${stack.consoleUrl}#recognise`);
    await page.setInputFiles('#frame-files', [
      facePath('identities/clapton/01.jpg'),
      facePath('identities/John_Salley/05.jpg'),
    ]);
    await page.locator('.frame.known').nth(1).waitFor({ timeout: 60_000 });
    const names = await page.locator('.box .name').allTextContents();
    expect(names.sort()).toEqual(['John_Salley', 'clapton']);
    expect(await page.locator('#recent tr').count()).toBe(2);
    await page.screenshot({ path: join(SHOTS, 'recognise.png'), fullPage: true });
  });

  it('shows a hostile filename as text and injects no element when the file is named like HTML', async () => {
    await page.setInputFiles('#frame-files', join(photos, HOSTILE));
    await page.locator('.frame.known').nth(2).waitFor({ timeout: 60_000 });
    const text = await page.locator('#frames').textContent();
    expect(text).toContain(HOSTILE);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('#recent').textContent()).toContain(HOSTILE);
    expect(dialogs).toEqual([]);
  });

  it('shows the clear error of the API on the People view when no enroller is configured', async () => {
    await page.goto(`${stack.consoleUrl}#people`);
    await expect.poll(() => page.locator('#people-error').textContent()).toContain('not_configured');
    await page.screenshot({ path: join(SHOTS, 'people.png'), fullPage: true });
  });

  it('lists the queues with their depths on the Health view', async () => {
    await page.goto(`${stack.consoleUrl}#health`);
    await page.waitForSelector('#queues tr[data-role="response DLQ"]');
    const roles = await page.locator('#queues th').allTextContents();
    expect(roles).toEqual(['request', 'response', 'request DLQ', 'response DLQ']);
    await page.screenshot({ path: join(SHOTS, 'health.png'), fullPage: true });
  });
});
