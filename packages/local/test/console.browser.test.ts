import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quietLogger, testLogger } from '@frs/test-fixtures/logger';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../src/stack.ts';
import { enrolGallery, facePath } from './fixtures.ts';

const log = testLogger('local-console-browser');

// Debian's chromium, installed by `bash bootstrap.sh test` when it runs as root.
const CHROMIUM = process.env.FRS_CHROMIUM ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? undefined
  : `browser tests skipped: ${CHROMIUM} is missing (bash bootstrap.sh test installs Debian's chromium when run as root; FRS_CHROMIUM points elsewhere)`;
if (skip) log.warn(skip);

const SHOTS = new URL('../.test-results/', import.meta.url).pathname;

function launchChromium(profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
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
}
const HOSTILE = '<img src=x onerror=alert(1)>.jpg';
const logger = quietLogger('console-browser-test');

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
    context = await launchChromium(profile);
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
  });

  it('lists the queues with their depths on the Health view', async () => {
    await page.goto(`${stack.consoleUrl}#health`);
    await page.waitForSelector('#queues tr[data-role="response DLQ"]');
    const roles = await page.locator('#queues th').allTextContents();
    expect(roles).toEqual(['request', 'response', 'request DLQ', 'response DLQ']);
    await page.screenshot({ path: join(SHOTS, 'health.png'), fullPage: true });
  });
});

// The managed gallery through the console: enrol in the People view, recognise, delete, see `unknown`.
describe.skipIf(skip !== undefined)(
  'Function: startLocalStack() console with the managed gallery in Chromium',
  () => {
    let stack: LocalStack;
    let context: BrowserContext;
    let page: Page;
    let profile: string;
    let photos: string;
    const alerts: string[] = [];

    beforeAll(async () => {
      stack = await startLocalStack({
        logger,
        port: 0,
        sqsPort: 0,
        consolePort: 0,
        enrolPort: 0,
        galleryRefreshSeconds: 1,
      });
      profile = await mkdtemp(join(tmpdir(), 'frs-chromium-'));
      photos = await mkdtemp(join(tmpdir(), 'frs-console-photos-'));
      await copyFile(facePath('identities/clapton/00.jpg'), join(photos, HOSTILE));
      await mkdir(SHOTS, { recursive: true });
      context = await launchChromium(profile);
      page = context.pages()[0] ?? (await context.newPage());
      page.on('dialog', (dialog) => {
        // Deleting a person asks for confirmation; anything else (an injected alert) is a failure.
        if (dialog.type() === 'confirm') void dialog.accept();
        else {
          alerts.push(dialog.message());
          void dialog.dismiss();
        }
      });
    }, 120_000);

    afterAll(async () => {
      await context?.close();
      await stack?.stop();
      if (profile) await rm(profile, { recursive: true, force: true });
      if (photos) await rm(photos, { recursive: true, force: true });
    });

    async function enrolInView(name: string, files: string[]): Promise<void> {
      await page.fill('#enrol-name', name);
      await page.setInputFiles('#enrol-files', files);
      await page.click('#enrol-form button[type="submit"]');
      // The final status, not "enrolling … as <name>…": the view clears the file picker only when it is done.
      const done = new RegExp(`^enrolled \\d+ of \\d+ photos? as ${name}$`);
      await page.locator('#people-status', { hasText: done }).waitFor({ timeout: 60_000 });
    }

    it('lists two people enrolled from photos, with a thumbnail per photo', async () => {
      await page.goto(`${stack.consoleUrl}#people`);
      await enrolInView('clapton', [join(photos, HOSTILE)]);
      await enrolInView('John Salley', [
        facePath('identities/John_Salley/00.jpg'),
        facePath('identities/John_Salley/01.jpg'),
      ]);
      await page.locator('article.person').nth(1).waitFor();
      expect(await page.locator('.person-name').allTextContents()).toEqual(['John Salley', 'clapton']);
      await expect
        .poll(() =>
          page
            .locator('img.thumb')
            .evaluateAll((imgs) => imgs.map((i) => ('naturalWidth' in i ? Number(i.naturalWidth) : 0))),
        )
        .toEqual([112, 112, 112]);
      await page.screenshot({ path: join(SHOTS, 'people.png'), fullPage: true });
    }, 120_000);

    it('shows a hostile photo filename as text on the People view', async () => {
      expect(await page.locator('#people-list').textContent()).toContain(HOSTILE);
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(alerts).toEqual([]);
    });

    it('shows the API error as text when the name is not allowed', async () => {
      await page.fill('#enrol-name', '<b>bold</b>');
      await page.setInputFiles('#enrol-files', facePath('identities/carell/00.jpg'));
      await page.click('#enrol-form button[type="submit"]');
      await expect.poll(() => page.locator('#people-error').textContent()).toContain('invalid_request');
      expect(await page.locator('#people-error b').count()).toBe(0);
    }, 60_000);

    it('draws the enrolled names on a recognised frame, then unknown after the person is deleted', async () => {
      await page.goto(`${stack.consoleUrl}#recognise`);
      await page.setInputFiles('#frame-files', [
        facePath('identities/clapton/01.jpg'),
        facePath('identities/John_Salley/05.jpg'),
      ]);
      await page.locator('.frame.known').nth(1).waitFor({ timeout: 60_000 });
      expect((await page.locator('.box .name').allTextContents()).sort()).toEqual(['John Salley', 'clapton']);

      await page.goto(`${stack.consoleUrl}#people`);
      await page.locator('article.person[data-name="clapton"]').waitFor();
      await page.click('button[aria-label="Delete clapton"]');
      await page
        .locator('article.person[data-name="clapton"]')
        .waitFor({ state: 'detached', timeout: 30_000 });
      // The recognizer re-reads the gallery every second in this test (10 s by default).
      await new Promise((resolve) => setTimeout(resolve, 1_500));

      await page.goto(`${stack.consoleUrl}#recognise`);
      await page.setInputFiles('#frame-files', facePath('identities/clapton/01.jpg'));
      await page.locator('.frame.stranger').first().waitFor({ timeout: 60_000 });
      expect(await page.locator('.frame.stranger .box .name').allTextContents()).toEqual(['unknown']);
      await page.screenshot({ path: join(SHOTS, 'recognise-after-delete.png'), fullPage: true });
    }, 120_000);
  },
);
